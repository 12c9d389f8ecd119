"""featuremaps.pictures.maps: the one figure style for maps, and maps as PNG bytes for widgets."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from featuremaps.depth.fields import ReceptiveField  # noqa: E402
from featuremaps.pictures import maps as plots  # noqa: E402


def test_value_range_each_and_shared():
    maps = np.array([[[0.0, 1.0]], [[-2.0, 4.0]]])
    assert plots.value_range(maps, "each") == [(0.0, 1.0), (-2.0, 4.0)]
    assert plots.value_range(maps, "shared") == [(-2.0, 4.0), (-2.0, 4.0)]
    with pytest.raises(ValueError, match="scale must be one of"):
        plots.value_range(maps, "global")


def test_show_maps_draws_one_panel_per_map_with_the_stated_scale():
    maps = np.random.default_rng(0).normal(size=(5, 6, 6))
    fig = plots.show_maps(maps, titles=list("abcde"), scale="shared", ncols=3, title="five maps")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 5 and len(fig.axes) == 6  # a 2x3 grid, one empty panel
    assert all(image.get_cmap().name == plots.CMAP for image in images)
    assert {image.get_clim() for image in images} == {(maps.min(), maps.max())}
    assert "five maps" in fig._suptitle.get_text() and "in every panel" in fig._suptitle.get_text()
    assert [ax.get_title() for ax in fig.axes if ax.images] == list("abcde")
    plt.close(fig)


def test_show_maps_each_scale_and_bad_input():
    fig = plots.show_maps(np.stack([np.zeros((3, 3)), np.arange(9.0).reshape(3, 3)]))
    assert fig.axes[1].images[0].get_clim() == (0.0, 8.0)
    assert "each panel" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(n, H, W\)"):
        plots.show_maps(np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match="2 titles for 3 panels"):
        plots.show_maps(np.zeros((3, 2, 2)), titles=["a", "b"])


def test_to_gray8_maps_the_range_to_black_and_white():
    np.testing.assert_array_equal(plots.to_gray8(np.array([-1.0, 0.0, 3.0]), -1.0, 3.0), [0, 64, 255])
    np.testing.assert_array_equal(plots.to_gray8(np.array([5.0, -5.0]), 0.0, 1.0), [255, 0])  # clipped
    np.testing.assert_array_equal(plots.to_gray8(np.full(3, 2.0), 2.0, 2.0), [0, 0, 0])


def test_to_png_round_trip_with_zoom():
    feature_map = np.array([[0.0, 1.0], [2.0, 4.0]])
    pixels = np.asarray(Image.open(io.BytesIO(plots.to_png(feature_map, zoom=3))))
    assert pixels.shape == (6, 6)
    np.testing.assert_array_equal(pixels[::3, ::3], [[0, 64], [128, 255]])
    with pytest.raises(ValueError, match="one 2-D map"):
        plots.to_png(np.zeros((2, 2, 2)))


def test_show_overlays_draws_one_panel_per_image():
    field = ReceptiveField("relu3", 18, 4, 1.5)
    fig = plots.show_overlays(np.zeros((3, 28, 28)), np.ones((3, 7, 7)), field, titles=["a", "b", "c"], ncols=2)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 3 and len(drawn[0].images) == 2
    # The 7x7 map spans the 28x28 image exactly: unit centres at 1.5 + 4 i, cells 4 pixels wide.
    np.testing.assert_allclose(drawn[0].images[1].get_extent(), [-0.5, 27.5, 27.5, -0.5])
    plt.close(fig)


def test_stack_of_is_a_stack_on_ipywidgets_8_and_a_tab_on_7(monkeypatch):
    import ipywidgets as widgets

    pictures = [widgets.HTML("a"), widgets.HTML("b")]
    stack = plots.stack_of(pictures, ["A", "B"], selected_index=1)
    assert isinstance(stack, widgets.Stack) and stack.selected_index == 1
    monkeypatch.delattr(widgets, "Stack")  # ipywidgets 7.7 has none
    tab = plots.stack_of(pictures, ["A", "B"], selected_index=1)
    assert isinstance(tab, widgets.Tab) and tab.selected_index == 1 and tab.get_title(0) == "A"
    assert list(tab.children) == pictures


def test_strongest_maps_and_at_size():
    feature_map = np.zeros((2, 2, 4))
    feature_map[0, 0] = [1.0, 5.0, 3.0, 5.0]
    # highest peak first; a tie keeps the map order
    assert plots.strongest_maps(feature_map, 3).tolist() == [1, 3, 2]
    with pytest.raises(ValueError, match=r"\(H', W', N\)"):
        plots.strongest_maps(np.zeros((2, 2)), 1)
    small = np.arange(4.0).reshape(2, 2)
    big = plots.at_size(small, (4, 4))
    # every value becomes a 2 x 2 square
    np.testing.assert_array_equal(big, np.kron(small, np.ones((2, 2))))
    # sizes that do not divide still keep every value, none smoothed
    odd = plots.at_size(np.arange(9.0).reshape(3, 3), (7, 7))
    assert set(np.unique(odd)) == set(range(9))


def test_show_depths_draws_a_row_per_layer_input_first():
    image = np.arange(16.0).reshape(4, 4)
    feature_maps = {"a": np.random.default_rng(0).random((4, 4, 3)),
                    "b": np.random.default_rng(1).random((2, 2, 5))}
    fig = plots.show_depths(image, feature_maps, num_maps=2, title="depths")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "input" and titles[3] == "input"
    top_b = plots.strongest_maps(feature_maps["b"], 2)
    assert titles[4:6] == [f"b #{c}" for c in top_b]
    # the second row's first map is layer b's strongest, drawn at 4 x 4
    drawn = fig.axes[4].get_images()[0].get_array()
    np.testing.assert_array_equal(
        drawn, plots.at_size(feature_maps["b"][..., top_b[0]], (4, 4)))
    assert "each panel" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="one grey image"):
        plots.show_depths(np.zeros((4, 4, 3)), feature_maps)


def test_picture_widget_carries_its_alt_text_and_the_grey_convention():
    image = np.array([[0, 255], [128, 64]], dtype=np.uint8)
    widget = plots.picture_widget(image, alt='a "boot"', zoom=2)
    assert 'alt="a &quot;boot&quot;"' in widget.value
    png = widget.value.split("base64,")[1].split('"')[0]
    import base64
    drawn = np.asarray(Image.open(io.BytesIO(base64.b64decode(png))))
    np.testing.assert_array_equal(drawn, plots.enlarge(image, 2))
    with pytest.raises(ValueError, match="alt text"):
        plots.picture_widget(image, alt=" ")


def test_untitled_panels_carry_their_map_numbers_as_the_browser_grid_does():
    fig = plots.show_maps(np.random.default_rng(0).random((12, 4, 4)), ncols=6)
    assert [[t.get_text() for t in ax.texts] for ax in fig.axes[:12]] == [[str(k)] for k in range(12)]
    plt.close(fig)
    titled = plots.show_maps(np.zeros((2, 3, 3)), titles=["a", "b"])
    assert not any(ax.texts for ax in titled.axes)
    plt.close(titled)
