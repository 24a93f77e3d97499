"""The host plays, pauses and restarts a question's sound or clip; the journal keeps each with
its position, so a resumed kiosk and every follower show the same point of the clip."""
from __future__ import annotations

import pytest

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import Refusal, StageEngine
from tests.core.stage.test_media import contest_with as media_contest
from tests.core.stage.test_media import png, wav


def contest_with(folder, question_media: str):
    """The small contest whose buzzer round asks the media question first."""
    return media_contest(folder, question_media, first=True)


@pytest.fixture
def show(tmp_path):
    folder = tmp_path / "show"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "song.wav").write_bytes(wav(seconds=10))
    (folder / "media" / "flag.png").write_bytes(png())
    contest = load_contest(contest_with(folder, 'audio = "media/song.wav"\nimage = "media/flag.png"'))
    clock = ManualClock()
    engine = StageEngine(contest, folder / "show.journal", clock=clock, durable=False)
    engine.execute({"cmd": "next_round"})
    engine.execute({"cmd": "next_round"})
    engine.execute({"cmd": "show_question"})
    assert engine.state.question.id == "m1"
    yield engine, clock, contest, folder
    engine.close()


def refused(engine, command, needle):
    with pytest.raises(Refusal) as raised:
        engine.execute(command)
    assert needle in raised.value.render("en")


def test_play_pause_restart_with_positions(show):
    engine, clock, _, _ = show
    refused(engine, {"cmd": "play_media"}, "put the question on the big screen first")
    engine.execute({"cmd": "reveal"})
    refused(engine, {"cmd": "play_media", "medium": "video"}, "this question has no video")
    refused(engine, {"cmd": "pause_media"}, "nothing is playing")
    engine.execute({"cmd": "play_media"})
    assert engine.events[-1].type == "media_played" and engine.events[-1].data["position_ms"] == 0
    refused(engine, {"cmd": "play_media"}, "it is already playing")
    clock.advance(2_500)
    engine.execute({"cmd": "pause_media"})
    assert engine.events[-1].data == {"question": "m1", "medium": "audio", "position_ms": 2_500, "duration_ms": 10_000}
    clock.advance(5_000)  # paused: the clip stays where it was
    assert engine.state.question.playback.position(clock.monotonic_ms()) == 2_500
    engine.execute({"cmd": "play_media"})
    assert engine.events[-1].data["position_ms"] == 2_500
    clock.advance(20_000)
    assert engine.state.question.playback.position(clock.monotonic_ms()) == 10_000  # never past its end
    engine.execute({"cmd": "play_media"})  # played to its end: M plays it again from the start
    assert engine.events[-1].data["position_ms"] == 0
    engine.execute({"cmd": "restart_media"})
    assert engine.events[-1].data["position_ms"] == 0


def test_a_resumed_kiosk_shows_the_clip_at_its_journalled_position(show):
    engine, clock, contest, folder = show
    engine.execute({"cmd": "reveal"})
    engine.execute({"cmd": "play_media"})
    clock.advance(3_000)
    engine.execute({"cmd": "pause_media"})
    engine.execute({"cmd": "play_media"})
    clock.advance(1_000)
    engine.close()
    clock.advance(500)  # the kiosk was down half a second: the clip went on meanwhile
    again = StageEngine(contest, folder / "show.journal", clock=clock, durable=False)
    try:
        playback = again.state.question.playback
        assert playback.playing and playback.medium == "audio"
        assert playback.position(clock.monotonic_ms()) == 4_500
        again.execute({"cmd": "pause_media"})
        assert again.events[-1].data["position_ms"] == 4_500
    finally:
        again.close()
    engine.journal = again.journal  # the fixture closes the engine it made


def test_a_follower_learns_of_the_media_only_once_the_question_is_on_the_big_screen(show):
    from finals_app.core.stage.wire import REVEALED, SHOWN, _question_payload, question_from_payload
    engine, _, contest, folder = show
    question = contest.question("m1")
    shown = _question_payload(question, SHOWN)
    assert "media" not in shown and not question_from_payload(shown).media
    revealed = _question_payload(question, REVEALED)
    assert {m["kind"] for m in revealed["media"]} == {"image", "audio"}
    assert str(folder) not in str(revealed)  # the kiosk's paths stay on the kiosk
    remote = question_from_payload(revealed)
    assert remote.audio.digest == question.audio.digest and remote.audio.duration_ms == 10_000
    assert remote.image.width == 64


def test_the_record_names_each_questions_media(show, tmp_path):
    from openpyxl import load_workbook

    from finals_app.reports.paginate import Heading, Table
    from finals_app.reports.stage_documents import _results_xlsx, media_rows, results_blocks
    engine, _, _, _ = show
    rows = media_rows(engine.state)
    assert [row[:4] for row in rows] == [["m1", "抢答题", "图片", "media/flag.png"],
                                        ["m1", "抢答题", "音频", "media/song.wav"]]
    assert "64×48" in rows[0][4] and "10.0 s" in rows[1][4]
    blocks = results_blocks(engine.state)
    heading = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and "图片、音频和视频" in b.text)
    assert isinstance(blocks[heading + 1], Table) and blocks[heading + 1].rows == rows
    _results_xlsx(engine.state, tmp_path / "results.xlsx")
    sheet = load_workbook(tmp_path / "results.xlsx")["题目媒体"]
    assert [list(r) for r in sheet.values][1][3] == "media/flag.png"
