"""Stage sounds (tick, buzzer at zero, a chime for the buzzer winner, a round card's call, the
ceremony's cues: a chime per prize, a fanfare for the first), made once as small WAV
files in the user's cache folder and played with QSoundEffect. Without an audio device the show
goes on silently."""
from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from platformdirs import user_cache_dir
from PySide6.QtCore import QObject, QUrl

TONES = {  # name: [(frequency Hz, milliseconds), ...]
    "tick": [(1200, 60)],
    "buzzer": [(220, 700)],
    "winner": [(880, 120), (1320, 220)],
    "foul": [(330, 180), (260, 260)],
    "round": [(660, 120), (990, 260)],  # a round's card
    "ceremony": [(392, 220), (523, 420)],  # the ceremony opens
    "prize": [(523, 150), (659, 150), (784, 380)],  # a third or second prize
    "fanfare": [(523, 140), (659, 140), (784, 140), (1047, 320), (784, 140), (1047, 700)],  # the first prize
    "roll": [(784, 200), (1047, 500)],  # every winner
}


def _write_tone(path: Path, parts: list[tuple[int, int]], rate: int = 22050) -> None:
    frames = bytearray()
    for frequency, milliseconds in parts:
        count = rate * milliseconds // 1000
        for n in range(count):
            fade = min(1.0, n / 200, (count - n) / 200)
            frames += struct.pack("<h", int(12000 * fade * math.sin(2 * math.pi * frequency * n / rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


class Sounds(QObject):
    def __init__(self, enabled: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self.effects = {}
        self.played: list[str] = []  # what was asked to play, for tests and the self-test panel
        if not enabled:
            return
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            return
        if not QMediaDevices.audioOutputs():
            return  # no audio device (a server, a virtual screen): silence, no warnings
        folder = Path(user_cache_dir("finals-app", appauthor=False)) / "sounds"
        folder.mkdir(parents=True, exist_ok=True)
        for name, parts in TONES.items():
            path = folder / f"{name}.wav"
            if not path.exists():
                _write_tone(path, parts)
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self.effects[name] = effect

    def play(self, name: str) -> None:
        self.played.append(name)
        effect = self.effects.get(name)
        if effect is not None:
            effect.play()
