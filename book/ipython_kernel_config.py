# The course environment's kernels (make copies this into .venv/etc/ipython/). They run on this
# machine only, over loopback; ipykernel's warning that TCP is unencrypted is noise in every build log.
c = get_config()  # noqa: F821  (IPython's config loader provides it)
c.IPKernelApp.log_level = "ERROR"
