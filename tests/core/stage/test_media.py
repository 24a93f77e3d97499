"""A question's media in the contest file and the bank: each file read as the kiosk will play it
(kind from its bytes, size, duration), and every refusal named with its file, row and field: a
missing or unreadable file, a format the kiosk cannot play, a path out of the contest's folder
(absolute, ../.., a symbolic link out)."""
from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import wave
import zlib
from pathlib import Path

import pytest

from finals_app.cli import main
from finals_app.core.stage import media
from finals_app.core.stage.contest import ContestError, load_contest
from tests.stage_contest import SMALL_CONTEST, _questions

FFMPEG = shutil.which("ffmpeg")


def png(width: int = 64, height: int = 48) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(rate * seconds))
    return buffer.getvalue()


def clip(path: Path, *arguments: str) -> Path:
    subprocess.run([FFMPEG, "-v", "error", "-y", *arguments, str(path)], check=True)
    return path


@pytest.fixture
def folder(tmp_path):
    media_folder = tmp_path / "show" / "media"
    media_folder.mkdir(parents=True)
    (media_folder / "flag.png").write_bytes(png())
    (media_folder / "song.wav").write_bytes(wav())
    return tmp_path / "show"


def contest_with(folder: Path, question_media: str, first: bool = False) -> Path:
    """The small contest with a media question m1 in its buzzer round (asked first if `first`)."""
    path = folder / "contest.toml"
    extra = f'''
[[questions]]
id = "m1"
round = "r2"
kind = "single"
stem = "图中是什么？"
options = ["甲", "乙"]
answer = "A"
{question_media}
'''
    path.write_text(SMALL_CONTEST + (extra + _questions() if first else _questions() + extra), encoding="utf-8")
    return path


def test_a_question_carries_its_picture_and_sound_read_from_their_bytes(folder):
    contest = load_contest(contest_with(folder, 'image = "media/flag.png"\naudio = "media/song.wav"'))
    question = contest.question("m1")
    assert question.image.format == "png" and (question.image.width, question.image.height) == (64, 48)
    assert question.audio.format == "wav" and question.audio.duration_ms == 1500
    assert question.video is None and [m.kind for m in question.media] == ["image", "audio"]
    assert question.image.path == (folder / "media" / "flag.png").resolve()


@pytest.mark.parametrize("text, needle", [
    ('image = "media/none.png"', "no such file"),
    ('image = "../../etc/passwd"', "leads out of the contest's folder"),
    ('image = "/etc/passwd"', "an absolute path (/etc/passwd) is not allowed"),
    ('image = "media/song.wav"', "is not a picture the kiosk can play (PNG, JPEG)"),
    ('video = "media/flag.png"', "is not a video the kiosk can play (MP4 (H.264))"),
    ('audio = "media"', "is not a file"),
])
def test_each_refusal_names_the_file_and_the_field(folder, text, needle):
    path = contest_with(folder, text)
    with pytest.raises(ContestError) as raised:
        load_contest(path)
    said = raised.value.render("en")
    assert needle in said and f"questions[{len(_questions().split('[[questions]]')) - 1}]" in said, said
    assert str(path) in said


def test_a_symbolic_link_out_of_the_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(png())
    os.symlink(outside, folder / "media" / "link.png")
    with pytest.raises(ContestError) as raised:
        load_contest(contest_with(folder, 'image = "media/link.png"'))
    assert "leads out of the contest's folder" in raised.value.render("en")


def test_the_bank_names_the_row_and_the_column(folder):
    bank = folder / "bank.csv"
    bank.write_text("题型,题干,选项A,选项B,答案,轮次,图片,音频\n"
                    "单选,图中旗帜是？,国旗,党旗,A,r2,media/flag.png,\n"
                    "单选,听音频,东方红,其他,A,r2,,media/song.wav\n"
                    "单选,坏图,甲,乙,A,r2,media/song.wav,\n"
                    "单选,外面,甲,乙,A,r2,../../x.png,\n", encoding="utf-8")
    path = folder / "contest.toml"
    path.write_text(SMALL_CONTEST + _questions() + '\n[[banks]]\nfile = "bank.csv"\n', encoding="utf-8")
    with pytest.raises(ContestError) as raised:
        load_contest(path)
    said = raised.value.render("en")
    assert f"{bank}:4" in said and "图片" in said and "is not a picture" in said
    assert f"{bank}:5" in said and "leads out of the contest's folder" in said
    assert f"{bank}:2" not in said and f"{bank}:3" not in said


@pytest.mark.skipif(FFMPEG is None, reason="ffmpeg makes the test clips (scripts/setup.sh installs it)")
def test_video_and_compressed_sound_are_read_as_the_kiosk_plays_them(folder):
    clip(folder / "media" / "clip.mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest")
    clip(folder / "media" / "tone.mp3", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libmp3lame")
    clip(folder / "media" / "tone.m4a", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac")
    clip(folder / "media" / "photo.jpg", "-f", "lavfi", "-i", "testsrc=size=200x100:duration=1", "-frames:v", "1")
    contest = load_contest(contest_with(folder, 'video = "media/clip.mp4"\nimage = "media/photo.jpg"'))
    question = contest.question("m1")
    assert question.video.format == "mp4" and (question.video.width, question.video.height) == (320, 240)
    assert abs(question.video.duration_ms - 2000) <= 100
    assert question.image.format == "jpeg" and (question.image.width, question.image.height) == (200, 100)
    for name, fmt in (("tone.mp3", "mp3"), ("tone.m4a", "m4a")):
        found = media.check("audio", f"media/{name}", folder / "contest.toml", folder)
        assert found.format == fmt and abs(found.duration_ms - 3000) <= 150, (name, found)
    with pytest.raises(media.MediaProblem):
        media.check("video", "media/tone.m4a", folder / "contest.toml", folder)  # sound only: not a video


def test_contest_check_prints_each_questions_media(folder, capsys):
    import io as text_io
    out = text_io.StringIO()
    path = contest_with(folder, 'image = "media/flag.png"\naudio = "media/song.wav"')
    assert main(["contest", "check", str(path)], out, text_io.StringIO()) == 0
    printed = out.getvalue()
    assert "m1" in printed and "media/flag.png" in printed and "64×48" in printed
    assert "media/song.wav" in printed and "1.5 s" in printed


def test_contest_check_refuses_a_path_out_with_exit_2(folder):
    import io as text_io
    err = text_io.StringIO()
    path = contest_with(folder, 'image = "../../etc/passwd"')
    assert main(["contest", "check", str(path)], text_io.StringIO(), err) == 2
    assert str(path) in err.getvalue() and "image" in err.getvalue()
