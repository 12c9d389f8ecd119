"""Small fixes the course's site needs, as a local Sphinx extension (registered in _config.yml)."""


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    # sphinx-thebe registers its inline configuration twice (filename None and ""); a second `const` is a console error.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (str(getattr(script, "filename", script) or ""), str(getattr(script, "attributes", {})))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)  # before handlers that end the event early
    return {"parallel_read_safe": True, "parallel_write_safe": True}
