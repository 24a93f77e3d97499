"""The state banner as every screen draws it (display.banner_style): white words on the
meaning's colour darkened to a contrast of 5:1 or more, framed in the colour itself; the
served pages get the same three colours (net/view.py)."""
from __future__ import annotations

from finals_app.core.stage import palette
from finals_app.core.stage.display import AMBER, BLUE, GREEN, GREY, RED, banner_style


def test_luminance_and_contrast_of_black_white_and_a_grey():
    assert palette.luminance("#000000") == 0.0 and palette.luminance("#ffffff") == 1.0
    assert abs(palette.luminance("#777777") - 0.184) < 0.001
    assert palette.contrast("#000000", "#ffffff") == palette.contrast("#ffffff", "#000000") == 21.0
    assert abs(palette.contrast("#777777", "#ffffff") - 4.48) < 0.01


def test_a_light_colour_is_darkened_keeping_its_hue_a_dark_one_is_kept():
    lime = palette.darkened("#8bc34a")
    assert palette.luminance(lime) <= 0.14 and palette.luminance(lime) > 0.13  # no darker than needed
    r, g, b = (int(lime[i:i + 2], 16) for i in (1, 3, 5))
    assert abs(r / g - 0x8b / 0xc3) < 0.02 and abs(b / g - 0x4a / 0xc3) < 0.02  # the same hue
    assert palette.darkened(palette.BACKGROUND) == palette.BACKGROUND
    assert palette.darkened("not a colour") == "not a colour"


def test_every_banner_reads_white_on_its_colour_darkened_framed_in_the_colour():
    team_colours = ["#8bc34a", "#00bbf9", "#f15bb5", "#fee440", "#9b5de5", "#e63946", "#2a9d8f", "#f4a261"]
    for meaning in [GREEN, RED, AMBER, GREY, BLUE, palette.ACCENT, palette.GOOD, *team_colours]:
        fill, text, border = banner_style(meaning)
        assert text == palette.TEXT and border == meaning, meaning
        assert palette.contrast(fill, text) >= 5.0, (meaning, fill, palette.contrast(fill, text))
    assert banner_style("") == ("", "", "")  # no banner


def test_the_pages_get_the_same_colours(tmp_path):
    from finals_app.core.clock import ManualClock
    from finals_app.core.stage.engine import StageEngine
    from finals_app.net.view import show_view
    from tests.core.stage.test_media_playback import contest_with
    from finals_app.core.stage.contest import load_contest
    folder = tmp_path / "show"
    (folder / "media").mkdir(parents=True)
    from tests.core.stage.test_media import png
    (folder / "media" / "flag.png").write_bytes(png())
    contest = load_contest(contest_with(folder, 'image = "media/flag.png"'))
    clock = ManualClock()
    engine = StageEngine(contest, folder / "show.journal", clock=clock, durable=False)
    try:
        for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                        {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0},
                        {"cmd": "press", "team": contest.teams[0].id, "t_ms": 5}):
            engine.execute(command)
        clock.advance(2000)
        engine.expire()
        banner = show_view(engine.state, clock.monotonic_ms(), 1)["banner"]
        team = contest.teams[0]
        assert banner["text"].startswith(team.name) and banner["background"] == team.color
        assert (banner["fill"], banner["words"], banner["border"]) == (palette.darkened(team.color), palette.TEXT,
                                                                        team.color)
    finally:
        engine.close()
