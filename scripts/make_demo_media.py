"""Makes the demo contest's picture, sound and video (assets/contests/media/): drawn and
synthesised here, so the demo owes nobody a licence.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_demo_media.py

- flag.png: the national flag of the People's Republic of China, drawn to its published
  construction (a 30 × 20 grid: the large star at (5, 5) with radius 3, the four small stars
  at (10, 2), (12, 4), (12, 7), (10, 9) with radius 1, each pointing at the large star's centre).
- dongfanghong.wav: the opening phrases of the folk melody 《东方红》 (public domain),
  synthesised note by note (sine with its overtones and a soft envelope), 16 kHz mono.
- flag_raising.mp4: six seconds of the flag rising up its pole over the same melody, frames
  drawn here and encoded by ffmpeg as H.264 with AAC sound (what the kiosk plays).
"""
from __future__ import annotations

import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPolygonF

OUT = Path(__file__).resolve().parents[1] / "assets" / "contests" / "media"
RED, YELLOW = QColor("#ee1c25"), QColor("#ffff00")
RATE = 16_000
# 《东方红》: 东方红，太阳升，中国出了个毛泽东 (numbered notation 5 56 2 | 1 16 2 | 5 5 6 i6 5 | 1 16 2)
NOTES = [("G4", 1), ("G4", .5), ("A4", .5), ("D4", 2), ("C4", 1), ("C4", .5), ("A3", .5), ("D4", 2),
         ("G4", 1), ("G4", 1), ("A4", .5), ("C5", .5), ("A4", .5), ("G4", .5), ("C4", 1), ("C4", .5), ("A3", .5),
         ("D4", 2)]
BEAT = 0.42


def frequency(note: str) -> float:
    names = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}
    return 440.0 * 2 ** ((names[note[0]] + 12 * (int(note[1]) - 4)) / 12)


def star(painter: QPainter, centre: QPointF, radius: float, towards: QPointF | None = None) -> None:
    turn = -math.pi / 2 if towards is None else math.atan2(towards.y() - centre.y(), towards.x() - centre.x())
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else inner
        angle = turn + index * math.pi / 5
        points.append(QPointF(centre.x() + r * math.cos(angle), centre.y() + r * math.sin(angle)))
    painter.drawPolygon(QPolygonF(points))


def draw_flag(painter: QPainter, rect: QRectF) -> None:
    unit = rect.width() / 30
    painter.fillRect(rect, RED)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(YELLOW)

    def at(x, y):
        return QPointF(rect.left() + x * unit, rect.top() + y * unit)
    star(painter, at(5, 5), 3 * unit)
    for x, y in ((10, 2), (12, 4), (12, 7), (10, 9)):
        star(painter, at(x, y), unit, towards=at(5, 5))


def flag_png(path: Path) -> None:
    image = QImage(600, 400, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_flag(painter, QRectF(0, 0, 600, 400))
    painter.end()
    image.save(str(path), "PNG")


def melody() -> bytes:
    samples = []
    for note, beats in NOTES:
        length = int(RATE * beats * BEAT)
        f = frequency(note)
        for i in range(length):
            t = i / RATE
            envelope = min(1.0, t / 0.02) * math.exp(-2.2 * t / (beats * BEAT))
            value = sum(a * math.sin(2 * math.pi * f * k * t) for k, a in ((1, 1.0), (2, .35), (3, .15)))
            samples.append(int(9000 * envelope * value))
    return struct.pack(f"<{len(samples)}h", *samples)


def melody_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(melody())


def flag_raising_mp4(path: Path, sound: Path) -> None:
    width, height, fps, seconds = 640, 360, 25, 6
    encoder = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgra", "-s", f"{width}x{height}",
         "-r", str(fps), "-i", "-", "-i", str(sound), "-c:v", "libx264", "-preset", "slow", "-crf", "30",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k", "-t", str(seconds), "-movflags", "+faststart",
         str(path)], stdin=subprocess.PIPE)
    for frame in range(fps * seconds):
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        sky = QLinearGradient(0, 0, 0, height)
        sky.setColorAt(0, QColor("#2f6fdd"))
        sky.setColorAt(1, QColor("#bcd7ff"))
        painter.fillRect(0, 0, width, height, sky)
        painter.fillRect(0, height - 40, width, 40, QColor("#7a8a99"))
        pole_x = 220
        painter.fillRect(pole_x, 30, 8, height - 70, QColor("#d9d9d9"))
        rise = min(1.0, frame / (fps * (seconds - 0.8)))
        flag_h = 100
        top = (height - 70 - flag_h) - rise * (height - 110 - flag_h)
        draw_flag(painter, QRectF(pole_x + 8, top, flag_h * 1.5, flag_h))
        painter.end()
        encoder.stdin.write(image.constBits().tobytes() if hasattr(image.constBits(), "tobytes")
                            else bytes(image.constBits()))
    encoder.stdin.close()
    if encoder.wait() != 0:
        sys.exit("ffmpeg failed")


def main() -> None:
    QGuiApplication.instance() or QGuiApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    flag_png(OUT / "flag.png")
    melody_wav(OUT / "dongfanghong.wav")
    flag_raising_mp4(OUT / "flag_raising.mp4", OUT / "dongfanghong.wav")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parents[2])}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
