"""Every PDF carries the exact text it shows (issue 15): a name with 一 青 黄 马 支 长 comes back
from pdftotext as itself, never as a Kangxi radical (⼀ ⻘ ⻩ ⻢ ⽀ ⻓); fixed in the font the writer
embeds, not by mapping characters back."""
from __future__ import annotations

import io
import re

from finals_app.cli import main
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from tests.pdf_text import pdf_text
from tests.stage_contest import SMALL_CONTEST, _questions
from tests.test_stage_documents import _play_to_the_end

RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff]")
NAMES = {"赵一": "马一青", "钱二": "黄支长", "孙三": "长青一", "李四": "马长支", "周五": "青黄", "吴六": "一马当先",
         "甲单位": "青岛市支部一", "乙单位": "黄河长支"}


def test_certificates_and_results_say_the_names_exactly(tmp_path):
    text = SMALL_CONTEST + _questions()
    for old, new in NAMES.items():
        text = text.replace(old, new)
    contest_file = tmp_path / "contest.toml"
    contest_file.write_text(text, encoding="utf-8")
    contest = load_contest(contest_file)
    journal = tmp_path / "show.journal"
    engine = StageEngine(contest, journal)
    _play_to_the_end(engine, sign=True)
    prizes = engine.state.prizes
    engine.close()
    outputs = {}
    for kind, name in (("certificates", "certs.pdf"), ("results", "results.pdf")):
        target = tmp_path / name
        assert main([kind, str(contest_file), "--journal", str(journal), "--out", str(target)],
                    io.StringIO(), io.StringIO()) == 0
        outputs[kind] = pdf_text(target)
    for kind, said in outputs.items():
        assert not RADICALS.findall(said), (kind, sorted(set(RADICALS.findall(said))))
    winners = [contest.team(t) for level in prizes.values() for t in level]
    for team in winners:
        for member in team.members:
            assert member in outputs["certificates"], member
        assert team.unit in outputs["certificates"]
    for team in contest.teams:
        assert team.name in outputs["results"]
    assert "一等奖" in outputs["certificates"] and "二等奖" in outputs["certificates"]


def test_the_period_report_says_its_words_exactly(cli, tmp_path):
    code, out, _ = cli("committees", "--period", "P1", "--seed", "x", "--format", "csv")
    committee, name = out.splitlines()[1].split(",")[1:3]
    target = tmp_path / "report.pdf"
    assert cli("report", "--org", committee, "--period", "P1", "--out", str(target))[0] == 0
    said = pdf_text(target, layout=True)
    assert not RADICALS.findall(said)
    assert name in said and "第1期汇报材料" in said and "一、参学参赛情况" in said and "各党支部情况" in said


def test_the_font_copy_is_made_without_leaving_the_source_open(tmp_path, monkeypatch):
    """A fresh machine makes the cleaned copy on its first PDF: the system font it is made from
    is closed after (a lazy fontTools collection kept it open: a ResourceWarning on a fresh
    cache, seen as a failed PDF test on a new machine)."""
    import gc
    import warnings

    from fontTools.ttLib import TTFont

    import finals_app.reports.fonts as fonts
    monkeypatch.setenv("FINALS_APP_FONT_CACHE", str(tmp_path / "fonts"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        path = fonts.text_font_file("Regular")
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], [str(w.message) for w in caught]
    with TTFont(str(path)) as copy:
        cmap = copy.getBestCmap()
        assert ord("一") in cmap and not any(RADICALS.match(chr(code)) for code in cmap)
        assert copy["name"].getDebugName(1) == fonts.TEXT_FAMILY
