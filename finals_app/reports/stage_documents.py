"""After the judges' sign-off: the certificates (one A4 page per prize-winning team member) and
the results report (PDF and XLSX: round-by-round scores, every correction with its reason, the
buzzer evidence summary, prizes and sign-offs)."""
from __future__ import annotations

import html
from collections import Counter, defaultdict
from pathlib import Path

from finals_app.core.errors import FinalsError
from finals_app.core.online.times import format_instant
from finals_app.core.stage.state import PRIZE_LEVELS, StageState
from finals_app.reports.period_report import FONT, LATIN
from finals_app.reports.qt import qt_application

PRIZE_NAMES = {"first": "一等奖", "second": "二等奖", "third": "三等奖"}


def require_final(state: StageState) -> None:
    if not state.final or not state.prizes:
        raise FinalsError("the result is not final: certificates and the results report need every judge's sign-off")


def results_tables(state: StageState) -> dict:
    contest = state.contest
    rounds = [plan.id for plan in contest.rounds] + [contest.tiebreak.id]
    per_round: dict[str, Counter] = defaultdict(Counter)
    corrections = []
    for change in state.changes:
        if change.undone:
            continue
        if change.kind == "correction":
            corrections.append(change)
            per_round["correction"][change.team] += change.delta
            continue
        question = contest.question(change.question) if change.question else None
        per_round[question.round if question else "correction"][change.team] += change.delta
    evidence: dict[str, Counter] = defaultdict(Counter)
    for press in state.presses:
        outcome = press.outcome.split(" ")[0]
        kind = "accepted" if outcome == "accepted" else "foul" if outcome == "foul" else "ignored"
        evidence[press.team][kind] += 1
    prize_of = {team: level for level, teams in (state.prizes or {}).items() for team in teams}
    ranking = state.ranking()
    return {
        "rounds": [(r, contest.round(r).title) for r in rounds] + [("correction", "更正")],
        "rows": [{"rank": row["rank"], "team": contest.team(row["team"]), "by_round": per_round,
                  "score": row["score"], "tiebreak": row["tiebreak"], "prize": prize_of.get(row["team"])}
                 for row in ranking],
        "corrections": corrections, "evidence": evidence,
    }


def _print(html_text: str, path: Path) -> None:
    """A numbered A4 portrait document from HTML (tables repeat their header on each page)."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    qt_application()
    document = QTextDocument()
    default = QFont()
    default.setFamilies([LATIN, FONT])
    default.setPointSize(11)
    document.setDefaultFont(default)
    document.setHtml(html_text)
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18)))
    writer.setResolution(300)
    document.print_(writer)


def write_certificates(state: StageState, path: Path) -> int:
    """One landscape A4 page per member of every prize-winning team, drawn directly so that the
    layout is the same on every machine (no page numbers on a certificate)."""
    require_final(state)
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

    qt_application()
    contest = state.contest
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12)))
    writer.setResolution(300)
    writer.setTitle(f"{contest.name} 获奖证书")
    point = writer.resolution() / 72
    red = QColor("#b22222")

    def font(points: float, bold: bool = False) -> QFont:
        chosen = QFont()
        chosen.setFamilies([LATIN, FONT])
        chosen.setPixelSize(int(points * point))
        chosen.setBold(bold)
        return chosen

    painter = QPainter(writer)
    pages = 0
    try:
        for level in PRIZE_LEVELS:
            for team_id in state.prizes.get(level, []):
                team = contest.team(team_id)
                for member in team.members:
                    if pages:
                        writer.newPage()
                    pages += 1
                    page = QRectF(painter.viewport())
                    painter.setPen(QPen(red, 6 * point))
                    painter.drawRect(page.adjusted(10 * point, 10 * point, -10 * point, -10 * point))
                    painter.setPen(QPen(red, 1.5 * point))
                    painter.drawRect(page.adjusted(20 * point, 20 * point, -20 * point, -20 * point))
                    inner = page.adjusted(70 * point, 50 * point, -70 * point, -50 * point)
                    lines = [
                        ("获 奖 证 书", 44, 80, True, red, Qt.AlignmentFlag.AlignHCenter),
                        (f"{member} 同志：", 22, 60, False, QColor("black"), Qt.AlignmentFlag.AlignLeft),
                        (f"　　在{contest.name}中，作为{team.unit}代表队队员，荣获", 20, 80, False, QColor("black"),
                         Qt.AlignmentFlag.AlignLeft),
                        (PRIZE_NAMES[level], 40, 80, True, red, Qt.AlignmentFlag.AlignHCenter),
                        ("　　特发此证，以资鼓励。", 20, 50, False, QColor("black"), Qt.AlignmentFlag.AlignLeft),
                        (f"评委：{'、'.join(contest.judges)}", 14, 40, False, QColor("black"),
                         Qt.AlignmentFlag.AlignRight),
                        (contest.date or "", 16, 30, False, QColor("black"), Qt.AlignmentFlag.AlignRight),
                    ]
                    top = inner.top()
                    for text, points, height, bold, colour, align in lines:
                        painter.setFont(font(points, bold))
                        painter.setPen(colour)
                        box = QRectF(inner.left(), top, inner.width(), height * point)
                        painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
                                         text)
                        top += height * point
    finally:
        painter.end()
    return pages


def results_html(state: StageState) -> str:
    contest = state.contest
    tables = results_tables(state)
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in tables["rounds"])
    rows = []
    for row in tables["rows"]:
        cells = "".join(f"<td>{row['by_round'][r][row['team'].id]}</td>" for r, _ in tables["rounds"])
        rows.append(f"<tr><td>{row['rank']}</td><td>{html.escape(row['team'].name)}</td>{cells}"
                    f"<td>{row['score']}</td><td>{PRIZE_NAMES.get(row['prize'], '')}</td></tr>")
    corrections = "".join(
        f"<tr><td>{format_instant(c.wall_ms)[:19]}</td><td>{html.escape(contest.team(c.team).name)}</td>"
        f"<td>{c.delta:+d}</td><td>{html.escape(c.reason)}</td><td>{html.escape(c.operator)}</td></tr>"
        for c in tables["corrections"]) or "<tr><td colspan='5'>(无)</td></tr>"
    evidence = "".join(
        f"<tr><td>{html.escape(t.name)}</td><td>{tables['evidence'][t.id]['accepted']}</td>"
        f"<td>{tables['evidence'][t.id]['foul']}</td><td>{tables['evidence'][t.id]['ignored']}</td></tr>"
        for t in contest.teams)
    signed = "、".join(f"{judge}({format_instant(at)[:16]})" for judge, at in state.signoffs.items())
    table = "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
    return (f"<html><head><style>body {{ font-family: '{LATIN}', '{FONT}'; }} th {{ background-color: #dde4ee; }}"
            f"</style></head><body><h1 align='center'>{html.escape(contest.name)}<br/>比赛成绩报告</h1>"
            f"<p>日期：{html.escape(contest.date)}  地点：{html.escape(contest.venue)}<br/>评委签字：{signed}</p>"
            f"<h2>一、各轮得分与奖项</h2>{table}<thead><tr><th>名次</th><th>代表队</th>{head}<th>总分</th>"
            f"<th>奖项</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<h2>二、分数更正记录</h2>{table}<thead><tr><th>时间</th><th>代表队</th><th>分数</th><th>理由</th>"
            f"<th>操作人</th></tr></thead><tbody>{corrections}</tbody></table>"
            f"<h2>三、抢答记录汇总</h2>{table}<thead><tr><th>代表队</th><th>有效抢答</th><th>提前抢答(犯规)</th>"
            f"<th>忽略的按键</th></tr></thead><tbody>{evidence}</tbody></table></body></html>")


def write_results(state: StageState, path: Path) -> None:
    require_final(state)
    if path.suffix.lower() == ".xlsx":
        _results_xlsx(state, path)
    else:
        _print(results_html(state), path)


def _results_xlsx(state: StageState, path: Path) -> None:
    from openpyxl import Workbook

    tables = results_tables(state)
    contest = state.contest
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "各轮得分"
    sheet.append(["名次", "代表队", *[title for _, title in tables["rounds"]], "总分", "奖项"])
    for row in tables["rows"]:
        sheet.append([row["rank"], row["team"].name, *[row["by_round"][r][row["team"].id] for r, _ in tables["rounds"]],
                      row["score"], PRIZE_NAMES.get(row["prize"], "")])
    corrections = workbook.create_sheet("分数更正")
    corrections.append(["时间", "代表队", "分数", "理由", "操作人"])
    for c in tables["corrections"]:
        corrections.append([format_instant(c.wall_ms)[:19], contest.team(c.team).name, c.delta, c.reason, c.operator])
    evidence = workbook.create_sheet("抢答记录")
    evidence.append(["代表队", "有效抢答", "提前抢答(犯规)", "忽略的按键"])
    for team in contest.teams:
        counts = tables["evidence"][team.id]
        evidence.append([team.name, counts["accepted"], counts["foul"], counts["ignored"]])
    for each in workbook.worksheets:
        each.freeze_panes = "A2"
        for column in each.columns:
            each.column_dimensions[column[0].column_letter].width = 16
    workbook.save(path)
