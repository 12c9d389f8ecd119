"""The film of training on the published page (chapter 3): a slider over conv1's snapshots, in the page."""

import pytest
from site_facts import EDITIONS
from widget_pages import check_traffic, open_widget

pytestmark = pytest.mark.site
PAGE = "chapters/03-building-the-cnn.html"
READY = "document.querySelector('.fm-film .fm-film-frame')?.complete"
SAYS = {"en": {"first": "step 0 of 846 (epoch 0.00)", "last": "step 846 of 846 (epoch 6.00)", "pause": "Pause"},
        "ru": {"first": "шаг 0 из 846 (эпоха 0,00)", "last": "шаг 846 из 846 (эпоха 6,00)", "pause": "Пауза"}}


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_slider_and_play_walk_through_training(guarded_page, site_url, edition):
    page, traffic = guarded_page
    says = SAYS[edition]
    film = open_widget(page, f"{site_url}/{edition}/{PAGE}", READY, ".fm-film")
    step, frame = film.locator(".fm-film-step"), film.locator(".fm-film-frame")
    assert step.inner_text() == says["first"]
    start = frame.get_attribute("src")
    assert frame.get_attribute("alt").endswith(says["first"])
    film.locator(".fm-film-slider").focus()
    page.keyboard.press("End")
    assert step.inner_text() == says["last"] and frame.get_attribute("src") != start
    assert film.locator(".fm-film-slider").get_attribute("aria-valuetext") == says["last"]
    # Play from the end starts again at step 0 and moves on by itself.
    film.locator(".fm-film-play").click()
    assert film.locator(".fm-film-play").inner_text() == says["pause"]
    page.wait_for_function("!document.querySelector('.fm-film .fm-film-step').innerText.match(/^(step|шаг) 0 /)",
                           timeout=5_000)
    film.locator(".fm-film-play").click()
    assert frame.evaluate("img => img.naturalWidth") == 231
    check_traffic(page, traffic)
