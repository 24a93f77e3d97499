"""After the judges' sign-off: the certificates (one A4 page per prize-winning team member) and
the results report (PDF and XLSX: round-by-round scores, every correction with its reason, the
buzzer evidence summary, prizes and sign-offs)."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from finals_app.core.errors import FinalsError
from finals_app.core.i18n import translate
from finals_app.core.online.times import format_instant
from finals_app.core.stage import media
from finals_app.core.stage.state import PRIZE_LEVELS, StageState
from finals_app.core.stage.words import prize_name
from finals_app.reports.chinese import chinese_date, chinese_numeral_date
from finals_app.reports.paginate import cjk, Heading, Lines, Table, write_document
from finals_app.reports.qt import qt_application



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
        "corrections": corrections, "evidence": evidence, "trail": audit_rows(state),
    }


KIND_WORDS = {"answer": "答题", "foul": "犯规", "correction": "更正"}
VERDICT_WORDS = {"correct": "正确", "wrong": "错误", "timeout": "超时"}


def audit_rows(state: StageState) -> list[list]:
    """Every score change ever made, in order, undone ones included: when, team, points, what,
    why, who, and whether (by whom, when, why) it was undone."""
    contest = state.contest
    rows = []
    for change in sorted(state.changes, key=lambda c: c.seq):
        question = contest.question(change.question) if change.question else None
        what = KIND_WORDS.get(change.kind, change.kind)
        if question is not None and change.kind != "correction":
            what += f"（{contest.round(question.round).title} {question.id}）"
        why = VERDICT_WORDS.get(change.reason, change.reason)
        status = "有效"
        if change.undone:
            status = f"已撤销：{change.undone_by} {format_instant(change.undone_wall_ms)[11:19]}"
            if change.undo_reason:
                status += f"（{change.undo_reason}）"
        rows.append([format_instant(change.wall_ms)[:19], contest.team(change.team).name, change.delta, what, why,
                     change.operator, status])
    return rows


AUDIT_HEADER = ["时间", "代表队", "分数", "类别", "理由", "操作人", "状态"]
MEDIA_HEADER = ["题目", "轮次", "媒体", "文件", "格式与时长"]


def media_rows(state: StageState) -> list[list]:
    """Each medium of each question asked in the show: which question, its round, its kind, its
    file's name and what it was (format, size, pixels, length)."""
    contest = state.contest
    rows = []
    for question_id in dict.fromkeys(state.used_questions):
        question = contest.question(question_id)
        for medium in (question.media if question is not None else ()):
            rows.append([question.id, contest.round(question.round).title if contest.round(question.round) else "",
                         translate(media.KIND_WORDS[medium.kind], "zh_CN"), medium.name, medium.describe()])
    return rows


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
        chosen.setFamilies([cjk()])  # one family for every character: quotes and digits as Chinese text has them
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
                    black = QColor("black")
                    left, centre = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignHCenter
                    lines = [
                        ("获 奖 证 书", 44, 78, True, red, centre),
                        (f"{member} 同志：", 22, 52, False, black, left),
                        (f"　　在{contest.name}中，作为", 20, 44, False, black, left),
                        (f"{team.unit}　{team.name}", 22, 46, True, black, centre),
                        ("队员，荣获", 20, 40, False, black, centre),
                        (prize_name(level, "zh_CN"), 42, 72, True, red, centre),
                        ("　　特发此证，以资鼓励。", 20, 46, False, black, left),
                    ]
                    top = inner.top()
                    for text, points, height, bold, colour, align in lines:
                        painter.setFont(font(points, bold))
                        painter.setPen(colour)
                        box = QRectF(inner.left(), top, inner.width(), height * point)
                        painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
                                         text)
                        top += height * point
                    # The issuing body and the date, bottom right, over the seal's place.
                    signature = QRectF(inner.right() - 300 * point, inner.bottom() - 96 * point, 300 * point,
                                       96 * point)
                    seal = QRectF(signature.center().x() - 52 * point, signature.top() - 20 * point, 104 * point,
                                  104 * point)
                    painter.setPen(QPen(QColor(178, 34, 34, 90), 2 * point, Qt.PenStyle.DashLine))
                    painter.drawEllipse(seal)
                    painter.setFont(font(10))
                    painter.setPen(QColor(178, 34, 34, 140))
                    painter.drawText(seal.adjusted(0, 0, 0, -6 * point),
                                     int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), "（盖章）")
                    painter.setPen(black)
                    painter.setFont(font(18))
                    issuer = contest.issuer or contest.name
                    painter.drawText(QRectF(signature.left(), signature.top(), signature.width(), 48 * point),
                                     int(centre | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap), issuer)
                    painter.setFont(font(16))
                    painter.drawText(QRectF(signature.left(), signature.top() + 48 * point, signature.width(),
                                            40 * point), int(centre | Qt.AlignmentFlag.AlignVCenter),
                                     chinese_numeral_date(contest.date))
    finally:
        painter.end()
    return pages


def results_blocks(state: StageState) -> list:
    """The results report as pages: scores by round with the prizes, every correction with its
    reason, and the buzzer evidence per team."""
    contest = state.contest
    tables = results_tables(state)
    rounds = tables["rounds"]
    signed = "、".join(f"{judge}（{format_instant(at)[:16]}）" for judge, at in state.signoffs.items())
    scores = [[row["rank"], row["team"].name, *[row["by_round"][r][row["team"].id] for r, _ in rounds],
               row["score"], prize_name(row["prize"], "zh_CN")] for row in tables["rows"]]
    corrections = [[format_instant(c.wall_ms)[:19], contest.team(c.team).name, f"{c.delta:+d}", c.reason, c.operator]
                   for c in tables["corrections"]]
    evidence = [[t.name, tables["evidence"][t.id]["accepted"], tables["evidence"][t.id]["foul"],
                 tables["evidence"][t.id]["ignored"]] for t in contest.teams]
    used_media = media_rows(state)
    return [
        Heading(f"{contest.name}\n比赛成绩报告", level=1),
        Lines([f"日期：{chinese_date(contest.date)}　地点：{contest.venue}", f"评委签字：{signed}"]),
        Heading("一、各轮得分与奖项"),
        Table(["名次", "代表队", *[title for _, title in rounds], "总分", "奖项"], scores,
              [0.8, 3, *[1.2] * len(rounds), 1, 1.2], [True, False, *[True] * len(rounds), True, False]),
        Heading("二、分数更正记录"),
        Table(["时间", "代表队", "分数", "理由", "操作人"], corrections, [2.2, 2, 0.8, 3, 1.2],
              [False, False, True, False, False]),
        Heading("三、计分记录（每一次分数变动，含已撤销的）"),
        Table(AUDIT_HEADER, [[*row[:2], f"{row[2]:+d}", *row[3:]] for row in tables["trail"]],
              [1.7, 1.7, 0.6, 2.0, 1.5, 0.9, 3.0], [False, False, True, False, False, False, False]),
        Heading("四、抢答记录汇总"),
        Table(["代表队", "有效抢答", "提前抢答（犯规）", "忽略的按键"], evidence, [3, 1.5, 1.5, 1.5],
              [False, True, True, True]),
        *([Heading("五、题目所用的图片、音频和视频"),
           Table(MEDIA_HEADER, used_media, [1.2, 1.4, 0.8, 3.2, 2.6], [False] * 5)] if used_media else []),
    ]


def write_results(state: StageState, path: Path) -> None:
    require_final(state)
    if path.suffix.lower() == ".xlsx":
        _results_xlsx(state, path)
    else:
        qt_application()
        write_document(path, f"{state.contest.name} 比赛成绩报告", results_blocks(state))


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
                      row["score"], prize_name(row["prize"], "zh_CN")])
    corrections = workbook.create_sheet("分数更正")
    corrections.append(["时间", "代表队", "分数", "理由", "操作人"])
    for c in tables["corrections"]:
        corrections.append([format_instant(c.wall_ms)[:19], contest.team(c.team).name, c.delta, c.reason, c.operator])
    trail = workbook.create_sheet("计分记录")
    trail.append(AUDIT_HEADER)
    for row in tables["trail"]:
        trail.append(row)
    evidence = workbook.create_sheet("抢答记录")
    evidence.append(["代表队", "有效抢答", "提前抢答（犯规）", "忽略的按键"])
    for team in contest.teams:
        counts = tables["evidence"][team.id]
        evidence.append([team.name, counts["accepted"], counts["foul"], counts["ignored"]])
    used_media = media_rows(state)
    if used_media:
        used = workbook.create_sheet("题目媒体")
        for row in [MEDIA_HEADER, *used_media]:
            used.append(row)
    detail = workbook.create_sheet("抢答明细")
    detail.append(["题目", "代表队", "设备", "设备时间（毫秒）", "误差范围（毫秒）", "手机自身时间", "到达时间", "结果"])
    for press in state.presses:
        phone = press.phone or {}
        detail.append([press.question or "", contest.team(press.team).name, press.device or press.key,
                       press.device_us / 1000, press.uncertainty_us / 1000 if press.uncertainty_us else "",
                       phone.get("phone_ms", ""), phone.get("arrival_ms", press.received_mono_ms), press.outcome])
    for each in workbook.worksheets:
        each.freeze_panes = "A2"
        for column in each.columns:
            each.column_dimensions[column[0].column_letter].width = 16
    workbook.save(path)
