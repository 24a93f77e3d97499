"""The period report (汇报材料) of a committee or a branch, as a PDF a party secretary prints
(A4, Noto Sans CJK SC, page numbers, tables whose header repeats on every page, masked phones)
and as an XLSX staff sort and filter (one sheet per table, typed cells, frozen header row)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from finals_app.core.tables.masking import mask_phone
from finals_app.reports.chinese import chinese_date
from finals_app.reports.paginate import LATIN, cjk, Heading, Lines, Picture, Table, write_document
from finals_app.reports.qt import qt_application

DAILY_PAIRS = 4  # (date, count) pairs per row of the daily table under the chart
LEVELS = {"branch": "党支部", "committee": "党委", "unit": "单位"}


def _daily_table(daily: list[dict]) -> Table:
    """The chart's figures as text: four (date, count) pairs a row, so they can be read aloud,
    searched and copied."""
    cells = [(f"{d['day']:%m-%d}", d["participants"]) for d in daily]
    rows = []
    for first in range(0, len(cells), DAILY_PAIRS):
        chunk = cells[first:first + DAILY_PAIRS]
        chunk += [("", "")] * (DAILY_PAIRS - len(chunk))
        rows.append([value for pair in chunk for value in pair])
    return Table(["日期", "参与人数"] * DAILY_PAIRS, rows, [1] * (2 * DAILY_PAIRS), [False, True] * DAILY_PAIRS)


def period_words(period_id: str) -> str:
    """第3期 for P3; 线上决赛 for the online final."""
    if period_id.upper().startswith("P") and period_id[1:].isdigit():
        return f"第{int(period_id[1:])}期"
    return "线上决赛"


def report_blocks(data: dict, produced: date, chart) -> list:
    org = data["org"]
    level = LEVELS[org["level"]]
    summary = [["登记党员", data["party_members"]], ["参与人数（至少一次有效答题）", data["participants"]],
               ["参与率", f"{data['participation_rate'] * 100:.2f}%"], ["有效答题次数", data["valid_attempts"]],
               ["分享朋友圈获赠答题次数（已使用）", data["share_bonus_attempts"]], ["党员总得分", data["total"]],
               [f"{level}得分（总得分÷登记党员）", f"{data['score']:.2f}"]]
    if data["excellent"]:
        summary.append(["优秀组织奖", f"第 {data['excellent']['rank']} 名"])
    numerals = iter("一二三四五六七八九十")

    def heading(text: str) -> Heading:  # sections numbered in order (a branch's report has no branch table)
        return Heading(f"{next(numerals)}、{text}")

    blocks = [
        Heading(f"{data['competition']}\n{period_words(data['period'])}汇报材料", level=1),
        Lines([f"{level}：{org['name']}",
               f"竞赛时间：{chinese_date(data['first_day'])}至{chinese_date(data['last_day'])}",
               f"生成日期：{chinese_date(produced)}"]),
        heading("参学参赛情况"), Table(["项目", "数值"], summary, [3, 2]),
        heading("每日参与人数"), Picture(chart, 0.9), _daily_table(data["daily"]),
    ]
    if org["level"] != "branch":
        blocks += [heading("各党支部情况"), Table(
            ["党支部", "登记党员", "参与人数", "参与率", "得分"],
            [[b["name"], b["party_members"], b["participants"], f"{b['participation_rate'] * 100:.2f}%",
              f"{b['score']:.2f}"] for b in data["branches"]], [4, 1.3, 1.3, 1.3, 1.3], [False] + [True] * 4)]
    draw = data["pioneer_draw"]
    note = f"（随机抽取种子：{draw['seed']}）" if draw else "（本期随机抽取尚未进行，仅含排名前列者）"
    blocks += [heading(f"“灯塔学习先锋”名单{note}"), Table(
        ["序号", "姓名", "党支部", "名次", "方式"],
        [[i, p["name"], p["branch"], p["rank"], "满分随机抽取" if p["drawn"] else "排名前列"]
         for i, p in enumerate(data["pioneers"], start=1)], [0.8, 1.5, 4, 1.2, 1.8], [True, False, False, True, False])]
    if data.get("redraws"):
        blocks += [Lines(["本期有抽取重新进行（原抽取作废，记录保留，可用 draw-verify 核验）："] + [
            f"{r['draw']}：原种子 {r['replaced_seed']}（{r['replaced_at'][:10]}），重新抽取种子 {r['seed']}"
            f"（{r['created_at'][:10]}），理由：{r['reason']}" for r in data["redraws"]])]
    undrawn = data["lottery_undrawn"]
    note = f"（尚有 {len(undrawn)} 天未抽取）" if undrawn else ""
    blocks += [heading(f"“每日参与奖”获奖党员{note}"), Table(
        ["日期", "姓名", "党支部"], [[f"{w['day']:%Y-%m-%d}", w["name"], w["branch"]] for w in data["lottery_winners"]],
        [1.5, 1.5, 4])]
    blocks += [heading("个人成绩"), Table(
        ["名次", "姓名", "党支部", "有效答题次数", "分享获赠次数", "得分"],
        [[m["rank"], m["name"], m["branch"], m["valid_attempts"], m["share_bonus_attempts"], m["score"]]
         for m in data["members"]], [1.1, 1.4, 3.6, 1.6, 1.6, 1.0], [True, False, False, True, True, True])]
    blocks += [heading("未参与的党员（请跟进）"), Table(
        ["序号", "姓名", "党支部", "手机号"],
        [[i, m["name"], m["branch"], mask_phone(m["phone"])] for i, m in enumerate(data["absent"], 1)],
        [0.8, 1.5, 4, 2], [True, False, False, False])]
    return blocks


def nice_step(rough: float) -> int:
    """The smallest of 1, 2, 5 × 10^k (k ≥ 0) that is at least `rough`: a scale people read."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude >= rough:
                return factor * magnitude
        magnitude *= 10


def _daily_chart(data: dict):
    """Bars of the members taking part each day, a scale with grid lines, dates under the bars
    (every few days when a month does not fit) and counts above them when they fit."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    image = QImage(1600, 600, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setFamilies([LATIN, cjk()])
    font.setPixelSize(24)
    painter.setFont(font)
    days = data["daily"]
    highest = max([1, *[d["participants"] for d in days]])
    step = nice_step(highest / 4)
    top = step * -(-highest // step)  # the scale ends on a step
    left, bottom, width, height = 130, 520, 1440, 420
    for value in range(0, top + 1, step):
        y = bottom - height * value / top
        painter.setPen(QPen(QColor("#999999" if value == 0 else "#dddddd"), 2))
        painter.drawLine(left, round(y), left + width, round(y))
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(0, y - 15, left - 12, 30), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{value:,}")
    slot = width / max(1, len(days))
    label_every = max(1, -(-len(days) * 100 // width))  # a date label needs about 100 px
    for index, day in enumerate(days):
        bar = height * day["participants"] / top
        x = left + index * slot + slot * 0.15
        painter.fillRect(QRectF(x, bottom - bar, slot * 0.7, bar), QColor("#c0392b"))
        if slot >= 100:
            painter.drawText(QRectF(x - 20, bottom - bar - 34, slot * 0.7 + 40, 30), Qt.AlignmentFlag.AlignCenter,
                             f"{day['participants']:,}")
        if index % label_every == 0:
            painter.drawText(QRectF(x + slot * 0.35 - 60, bottom + 8, 120, 30), Qt.AlignmentFlag.AlignCenter,
                             f"{day['day']:%m-%d}")
    painter.drawText(QRectF(0, 0, 1600, 40), Qt.AlignmentFlag.AlignCenter, "每日参与党员人数")
    painter.end()
    return image


def write_pdf(data: dict, path: Path, produced: date) -> int:
    """The report as A4 pages; returns how many."""
    qt_application()  # fonts need an application; a report needs no display
    return write_document(path, f"{data['org']['name']} {data['period']} 汇报材料",
                          report_blocks(data, produced, _daily_chart(data)))


def write_xlsx(data: dict, path: Path, produced: date) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from finals_app.core.tables.listings import display_width

    workbook = Workbook(write_only=True)  # streamed: a unit's 50,000 members in seconds
    bold = Font(bold=True)
    sheets = [
        ("概况", ["项目", "数值"], [["单位", data["org"]["name"]], ["期次", data["period"]],
                                  ["生成日期", produced], ["登记党员", data["party_members"]],
                                  ["参与人数", data["participants"]], ["参与率", data["participation_rate"]],
                                  ["有效答题次数", data["valid_attempts"]],
                                  ["分享获赠答题次数", data["share_bonus_attempts"]], ["党员总得分", data["total"]],
                                  ["得分", data["score"]]]),
        ("每日参与", ["日期", "参与人数"], [[d["day"], d["participants"]] for d in data["daily"]]),
        ("各党支部", ["党支部ID", "党支部", "登记党员", "参与人数", "参与率", "得分"],
         [[b["branch_id"], b["name"], b["party_members"], b["participants"], b["participation_rate"], b["score"]]
          for b in data["branches"]]),
        ("学习先锋", ["参赛者ID", "姓名", "党支部", "名次", "方式"],
         [[p["participant_id"], p["name"], p["branch"], p["rank"], "满分随机抽取" if p["drawn"] else "排名前列"]
          for p in data["pioneers"]]),
        ("每日参与奖", ["日期", "参赛者ID", "姓名", "党支部"],
         [[w["day"], w["participant_id"], w["name"], w["branch"]] for w in data["lottery_winners"]]),
        ("个人成绩", ["名次", "参赛者ID", "姓名", "党支部", "有效答题次数", "分享获赠次数", "得分"],
         [[m["rank"], m["participant_id"], m["name"], m["branch"], m["valid_attempts"], m["share_bonus_attempts"],
           m["score"]] for m in data["members"]]),
        ("未参与党员", ["参赛者ID", "姓名", "党支部", "手机号"],
         [[m["participant_id"], m["name"], m["branch"], mask_phone(m["phone"])] for m in data["absent"]]),
    ]
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers):
            longest = max([display_width(header), *[display_width(str(r[index])) for r in rows[:500]]])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(50, max(10, longest + 3))
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells = []
            for index, value in enumerate(row):
                number_format = _number_format(title, headers[index], row, value)
                if number_format:
                    value = WriteOnlyCell(sheet, value)
                    value.number_format = number_format
                cells.append(value)
            sheet.append(cells)
    workbook.save(path)


def _number_format(title: str, header: str, row: list, value) -> str | None:
    """Rates as percentages, other fractions with two decimals, dates as dates."""
    if isinstance(value, date):
        return "yyyy-mm-dd"
    if isinstance(value, float):
        return "0.00%" if header == "参与率" or (title == "概况" and row[0] == "参与率") else "0.00"
    return None


def write_report(data: dict, target: Path, produced: date) -> Path:
    """Write the report as PDF or XLSX (by the suffix), never leaving a half file."""
    from finals_app.core.errors import FinalsError
    from finals_app.reports.writers import write_atomically

    target = Path(target)
    writer = {".pdf": write_pdf, ".xlsx": write_xlsx}.get(target.suffix.lower())
    if writer is None:
        raise FinalsError("the report is written as a PDF or an XLSX file: give --out FILE.pdf or FILE.xlsx")
    return write_atomically(target, lambda temporary: writer(data, temporary, produced), target.suffix)
