"""The interface's words. They are written in Chinese, the contest's language and the default;
with FINALS_APP_LANG=en (or `--lang en`) the interface shows the English of this table.

`ui(text, **values)` is looked up when it is called (never at import), so the language in
force when a window is built is the one it speaks. tests/test_translations.py checks that every
Chinese literal of a translated module goes through ui() and has its English here.
"""
from __future__ import annotations

from finals_app.core.i18n import current_language


def ui(text: str, /, **values) -> str:
    if current_language() == "en":
        text = EN.get(text, text)
    return text.format(**values) if values else text


EN: dict[str, str] = {
    # ---- the office window ----
    "线上竞赛办公 — {competition}": "Online rounds office — {competition}",
    "同步导出库…": "Sync an export…",
    "取消同步": "Cancel sync",
    "选择导出库": "Choose the export",
    "SQLite (*.sqlite *.db);;所有文件 (*)": "SQLite (*.sqlite *.db);;All files (*)",
    "正在同步 {path} …": "Syncing {path} …",
    "正在取消…": "Cancelling…",
    "导出库未变化。": "The export has not changed. ",
    "同步完成。": "Sync done. ",
    "(用时 {seconds:.1f} 秒)": " ({seconds:.1f} s)",
    "个人排名": "Standings",
    "获奖名单": "Awards",
    "每日参与奖": "Daily lottery",
    "党支部排名": "Branches",
    "党委排名": "Committees",
    "优秀组织奖": "Excellent organisations",
    "决赛排名": "Final standings",
    "代表队推荐": "Proposed teams",
    "无效答题": "Invalid attempts",
    "代表队选拔": "Team selection",
    "月度材料": "Monthly paperwork",
    "图表": "Charts",
    "绘制": "Draw",
    "期次": "Period",
    "个人总得分分布": "Personal totals",
    "每日参与人数": "Participants per day",
    "各单位满分答题率(%)": "Perfect attempts per unit (%)",
    # ---- the draw ceremony ----
    "抽奖仪式": "Draw ceremony",
    "抽奖仪式(大屏)": "Draw ceremony (big screen)",
    "{period} 灯塔学习先锋 满分随机抽取\n随机种子:{seed}": "{period} Lighthouse Pioneers: random draw of perfect scores\nSeed: {seed}",
    "共 {winners} 人中奖(参与 {eligible} 人)": "{winners} winners ({eligible} in the draw)",
    "无符合条件的人员": "Nobody is eligible",
    "\n\n核验:finals-app draw-verify --draw {draw} --seed {seed}":
        "\n\nVerify: finals-app draw-verify --draw {draw} --seed {seed}",
    # ---- a listing tab ----
    "名称或 ID(输入名称的一部分可选择)": "Name or ID (type part of the name to choose)",
    "随机种子(公布的)": "Seed (as published)",
    "参赛者 ID": "Participant ID",
    "参赛者": "Participant",
    "线上决赛": "Online final",
    "党支部": "Branch",
    "党委": "Committee",
    "单位": "Unit",
    "组织": "Organisation",
    "种子": "Seed",
    "日期": "Day",
    "查询": "Show",
    "筛选(任意列)": "Filter (any column)",
    "导出 XLSX/CSV": "Export XLSX/CSV",
    "导出": "Export",
    "正在查询…": "Working…",
    "{rows:,} 行": "{rows:,} rows",
    "。": ". ",
    "请先查询,再导出": "Show the listing first, then export it",
    "已导出:{path}": "Exported: {path}",
    # ---- monthly paperwork ----
    "党员学习档案": "Member archive",
    "党支部学习档案": "Branch archive",
    "参学参赛台账": "Participation ledger",
    "话费发放名单": "Payout list",
    "汇报材料": "Period report",
    "本名单含完整手机号,仅供组织者发放话费使用,请勿公开或转发。":
        "This list holds full phone numbers for paying the phone credit: for the organisers only, never publish or "
        "forward it.",
    "尚未抽取每日参与奖的日期:{days}(在“每日参与奖”页抽取)":
        "Days whose daily lottery has not been drawn: {days} (draw them on the Daily lottery tab)",
    "{periods} 期尚未进行满分随机抽取:获称号人数仅含排名前列者":
        "{periods}: the random draw has not been run, title holders count the top of the ranking only",
    "预览": "Preview",
    "生成 PDF…": "Write PDF…",
    "生成 XLSX…": "Write XLSX…",
    "保存汇报材料": "Save the period report",
    "{name}-{period}-汇报材料": "{name}-{period}-report",
    "正在生成…": "Writing…",
    "已生成:{path}({size:,.0f} KB)": "Written: {path} ({size:,.0f} KB)",
    "可生成 PDF(打印归档)或 XLSX(排序筛选)。": "Write the PDF (to print and file) or the XLSX (to sort and filter).",
    "{period}({first:%Y-%m-%d} 至 {last:%Y-%m-%d})": "{period} ({first:%Y-%m-%d} to {last:%Y-%m-%d})",
    "登记党员": "Registered party members",
    "参与人数": "Took part",
    "有效答题次数": "Valid attempts",
    "分享获赠答题次数": "Share-bonus attempts",
    "得分(总得分÷登记党员)": "Score (total ÷ registered party members)",
    "学习先锋": "Lighthouse Pioneers",
    "未参与的党员": "Members who did not take part",
    "{count} 人": "{count}",
    "{count} 人次": "{count} wins",
    "第 {rank} 名": "rank {rank}",
    # ---- team selection ----
    "按线上成绩推荐": "Propose from the online results",
    "写出比赛文件…": "Write the contest file…",
    "写出比赛文件": "Write the contest file",
    "决赛.toml": "final.toml",
    "单位 / 候选人": "Unit / candidate",
    "决赛名次": "Final rank",
    "初赛最好成绩": "Best preliminary total",
    "称号": "Titles",
    "、": ", ",
    "已写出 {path}(请补充评委与题目后运行 finals-app contest check)":
        "Written: {path} (add the judges and questions, then run finals-app contest check)",
    "尚未评出奖项的期次:{periods}(其随机抽取的称号未计入)":
        "Periods whose awards have not been run: {periods} (titles from their random draws are missing)",
    "每队 {size} 人:请先取消一名队员,再选择替换人选。":
        "{size} to a team: untick a member first, then tick the replacement.",
    "{name}  (已选 {ticked} 人,不足 {size} 人)": "{name}  ({ticked} chosen, fewer than {size})",
}
