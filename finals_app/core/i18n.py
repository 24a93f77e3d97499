"""The one translation layer: code speaks English templates, users read zh_CN (default) or en.

A template is an English sentence with ``{name}`` placeholders. ``translate`` looks it up in
the catalogue of the chosen language and fills the placeholders. Language: the explicit
argument, else the environment variable FINALS_APP_LANG (``zh_CN`` or ``en``), else zh_CN.
"""
from __future__ import annotations

import os

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

ZH_CN: dict[str, str] = {
    # where
    "table {table}": "表 {table}",
    "row id {row}": "行 id {row}",
    "field {field}": "字段 {field}",
    # kinds of value
    "integer": "整数", "text": "文本", "true/false": "布尔值", "array": "数组", "table": "表",
    "number": "数字",
    # rules file
    "cannot read the rules file: {reason}": "无法读取规则文件：{reason}",
    "not valid TOML: {reason}": "不是有效的 TOML:{reason}",
    "unknown field (known: {known})": "未知字段（可用字段：{known}）",
    "missing field": "缺少字段",
    "expected {expected}, found {found}": "应为{expected}，实际为{found}",
    "must be at least {minimum}": "不能小于 {minimum}",
    "must be one of {allowed}": "必须是以下之一：{allowed}",
    "not a time of the form YYYY-MM-DD HH:MM: {value}": "不是 YYYY-MM-DD HH:MM 形式的时间：{value}",
    "not a date of the form YYYY-MM-DD: {value}": "不是 YYYY-MM-DD 形式的日期：{value}",
    "not a clock time of the form HH:MM: {value}": "不是 HH:MM 形式的时刻：{value}",
    "the window ends before it starts": "时间窗口的结束早于开始",
    # command-line option help
    "the app's database (SQLAlchemy URL or SQLite path); env FINALS_APP_STORE":
        "本系统的数据库（SQLAlchemy URL 或 SQLite 文件路径）；环境变量 FINALS_APP_STORE",
    "rules file (TOML); default: 2017-2018": "规则文件（TOML）；默认：2017-2018",
    "zh_CN (default) or en": "zh_CN（默认）或 en",
    "write to FILE instead of the terminal": "写入文件 FILE，而不是输出到终端",
    "SQLite export file or SQLAlchemy URL": "SQLite 导出库文件或 SQLAlchemy URL",
    "P1..P6 or FINAL (default: all)": "P1..P6 或 FINAL（默认：全部）",
    "full names and phones (organisers only)": "完整姓名与手机号（仅供组织者）",
    "full phone numbers (payout list)": "完整手机号（话费发放名单）",
    "only draws of this name, e.g. pioneer-random:P3": "仅此名称的抽奖，例如 pioneer-random:P3",
    "with --draw: only the draw with this seed; with --tickets: the seed": "与 --draw 合用：仅此种子的抽奖；与 --tickets 合用：抽奖种子",
    "published eligible list (ticket_id[,participant_id])": "公布的参与名单（ticket_id[,participant_id]）",
    "with --tickets: number of winners": "与 --tickets 合用：中奖人数",
    "with --tickets: published winners (ticket_id column) to compare": "与 --tickets 合用：公布的中奖名单（ticket_id 列），用于核对",
    "with --tickets: a person may win more than once": "与 --tickets 合用：同一人可多次中奖",
    "with --draw and --seed: write the recorded eligible list": "与 --draw 和 --seed 合用：写出记录的参与名单",
    "accepted for symmetry with the other award commands; not needed": "与其他评奖命令保持一致而接受；本命令不需要",
    "also write a contest file with the proposed teams": "同时写出含推荐代表队的比赛文件",
    "the contest file (TOML)": "比赛文件（TOML）",
    "created, or resumed when it exists": "不存在则创建，已存在则继续",
    "print the resulting state as JSON": "以 JSON 输出结果状态",
    "exit 1 when any command was refused": "有命令被拒绝时以 1 退出",
    "default: the contest file's name with .journal": "默认：比赛文件名加 .journal",
    "instead: the online phases on sample data (no display needed)": "改为：在示例数据上演示线上各阶段（无需显示器）",
    "give an organisation's name or id": "请输入组织名称或 ID",
    "give a participant id (digits)": "请输入参赛者 ID（数字）",
    "the random draw of {periods} has not been run: title holders there count the top of the ranking only "
    "(finals-app awards --period P --seed S)": "{periods} 期尚未进行满分随机抽取：获称号人数仅含排名前列者"
    "（finals-app awards --period 期次 --seed 种子）",
    "no {kind} named {name}": "没有名为 {name} 的{kind}",
    "several organisations are named {name} (ids {ids}): give the id": "有多个组织名为 {name}（ID {ids}）：请输入 ID",
    "the store has no attempts of period {period} yet: sync an export that covers {first} to {last}":
        "数据库中尚无 {period} 期的答题记录：请同步包含 {first} 至 {last} 的导出库",
    "a phase may span at most {max} days, this one spans {days}": "每期最多 {max} 天，此期为 {days} 天",
    "period {first} overlaps period {second}": "期次 {first} 与期次 {second} 时间重叠",
    "duplicate id {value}": "重复的 id {value}",
    "must contain {draw_key} exactly once": "必须恰好包含一次 {draw_key}",
    "tiers must follow each other from rank 1 without gaps": "奖档必须从第 1 名起连续、无间断",
    "each ranking key may appear once and participant_id_asc must come last":
        "排名规则中每项只能出现一次，且 participant_id_asc 必须放在最后",
    # export and sync
    "cannot open the export: {reason}": "无法打开导出库：{reason}",
    "the export has no table {table}": "导出库缺少表 {table}",
    "the export's table lacks column {column}": "导出库的表缺少列 {column}",
    "unknown schema_version {value} (this version reads 1)": "未知的 schema_version {value}（本程序读取版本 1）",
    "the export has no schema_version in table meta": "导出库的 meta 表中没有 schema_version",
    "time does not parse: {value!r}": "无法解析的时间：{value!r}",
    "refers to {target} id {value}, which does not exist": "引用了不存在的 {target} id {value}",
    "unknown level {value!r} (unit, committee or branch)": "未知的层级 {value!r}（应为 unit、committee 或 branch）",
    "the organisation tree has a cycle: {path}": "组织树中存在循环：{path}",
    "a participant's branch_id must name a branch, not a {level}": "参赛者的 branch_id 必须指向党支部，而不是 {level}",
    "a unit must have no parent": "单位（unit）不能有上级",
    "a branch has organisations under it: {children}": "党支部下不能再有组织：{children}",
    "is_party_member must be 0 or 1, found {value!r}": "is_party_member 必须为 0 或 1，实际为 {value!r}",
    "must be a positive integer id, found {value!r}": "必须是正整数 id，实际为 {value!r}",
    "must be an integer, found {value!r}": "必须是整数，实际为 {value!r}",
    "must not be empty": "不能为空",
    "duplicate id {value} in the export": "导出库中有重复 id {value}",
    "{count} more problems not shown": "另有 {count} 个问题未列出",
    # usage
    "no period {period} (periods: {known})": "没有期次 {period}（现有期次：{known}）",
    "{day} is not a day of any preliminary period": "{day} 不在任何线上初赛期次之内",
    "not a date of the form YYYY-MM-DD: {day}": "不是 YYYY-MM-DD 形式的日期：{day}",
    "a seed is required (--seed): the draw must be reproducible from a published seed":
        "必须提供随机种子（--seed）：抽奖须能由公布的种子复现",
    "the store has no synced export yet: run finals-app sync EXPORT first":
        "数据库中还没有同步过的导出数据：请先运行 finals-app sync 导出库",
    "no recorded draw named {name}": "没有名为 {name} 的抽奖记录",
    "cannot open the store {url}: {reason}": "无法打开数据库 {url}:{reason}",
    "the xlsx format writes a file: give --out FILE.xlsx": "xlsx 格式需要写入文件：请指定 --out 文件.xlsx",
    "cannot write {path}: {reason}": "无法写入 {path}:{reason}",
    "cannot read {path}: {reason}": "无法读取 {path}:{reason}",
    # the command line
    "error": "错误",
    "warning": "警告",
    "interrupted; nothing was changed": "已中断；数据未作任何更改",
    "rules in force": "当前规则",
    "Synced {source} in {seconds:.1f} s": "已同步 {source}，用时 {seconds:.1f} 秒",
    "The export is unchanged since the last sync: nothing was written.": "导出库自上次同步以来没有变化：未写入任何数据。",
    "table            rows       added    changed    missing": "表                行数        新增       修改       缺失",
    "gone from the export (removed here, listed in missing_rows): {ids}":
        "导出库中已不存在（已从本库移除，记录于 missing_rows）：{ids}",
    "Invalid attempts per period and reason:": "各期无效答题（按原因）：",
    "No invalid attempts.": "没有无效答题。",
    "with --tickets, give --draw NAME, --seed S and --count K (missing: {missing})":
        "使用 --tickets 时须同时给出 --draw 名称、--seed 种子和 --count 人数（缺少：{missing}）",
    "Standings of {period} (top 10)": "{period} 个人排名（前 10 名）",
    "Awards of {period} with seed {seed} (first 10)": "{period} 获奖名单，随机种子 {seed}（前 10 条）",
    "Branch ranking of {period} (top 10)": "{period} 党支部排名（前 10 名）",
    "Online final (top 10)": "线上决赛排名（前 10 名）",
    # the stage: contest file
    "a buzzer question is not asked to one team": "抢答题不指定答题队",
    "a choice question needs at least two options": "选择题至少需要两个选项",
    "a contest needs at least two teams": "比赛至少需要两支代表队",
    "a team has {size} members, found {count}": "每队应有 {size} 名队员，实际为 {count} 名",
    "buzzer key {key} is already team {other}'s": "抢答键 {key} 已分配给代表队 {other}",
    "judges must be distinct names": "评委姓名不能重复",
    "more prizes ({prizes}) than teams ({teams})": "奖项数（{prizes}）多于代表队数（{teams}）",
    "not a colour of the form #RRGGBB: {value}": "不是 #RRGGBB 形式的颜色：{value}",
    "not a valid answer for a {kind} question: {value}": "不是{kind}题的有效答案：{value}",
    "no tie-break questions (round = \"tiebreak\"): a prize tie could not be played off":
        "没有加赛题（round = \"tiebreak\"）：出现跨奖项并列时将无法加赛",
    "question {question} names round {round}, which does not exist": "题目 {question} 所属轮次 {round} 不存在",
    "round {round} needs {need} questions, the contest has {have}": "轮次 {round} 需要 {need} 道题，现有 {have} 道",
    "stakes must be positive whole numbers": "风险分值必须是正整数",
    "the answer names an option the question does not have: {value}": "答案中的选项不存在：{value}",
    "the chief judge must be one of the judges": "评委会主任必须是评委之一",
    "the question bank has no column {column}": "题库缺少列 {column}",
    "the question bank is empty": "题库为空",
    "unknown question type {value}": "未知题型 {value}",
    "{file}: valid contest \"{name}\": {teams} teams, {judges} judges, {questions} questions":
        "{file}：比赛文件有效“{name}”:{teams} 支代表队，{judges} 位评委，{questions} 道题",
    # the stage: commands
    "unknown command {name} (known: {known})": "未知命令 {name}（可用命令：{known}）",
    "the result is final and signed; the chief judge must reopen it first": "比赛结果已签字确认，须由评委会主任重新开启后才能更改",
    "a correction must change the score": "更正必须改变分数",
    "a score correction needs a reason": "更正分数必须填写理由",
    "a tie-break is already being played": "加赛正在进行",
    "a tie-break is being played: finish it first": "加赛正在进行：请先完成加赛",
    "a tie-break needs at least two teams": "加赛至少需要两支代表队",
    "event {target} is already undone": "事件 {target} 已被撤销",
    "event {target} ({type}) cannot be undone": "事件 {target}（{type}）不能撤销",
    "every team has answered or is locked out": "所有代表队都已作答或被取消资格",
    "it is {expected}'s turn, not {team}'s": "现在轮到{expected}，不是{team}",
    "no event {target}": "没有事件 {target}",
    "no judged question to re-open": "没有可重新开放抢答的已判题目",
    "no prize list to sign: assign the prizes first": "还没有获奖名单可签字：请先确定奖项",
    "no question is in progress": "当前没有进行中的题目",
    "no question is shown": "当前没有出示题目",
    "no question is waiting for a verdict": "没有等待判定的题目",
    "no question {question} in round {round}": "{round} 中没有题目 {question}",
    "no round has started: start the next round first": "尚未开始任何轮次：请先进入下一轮",
    "no team {team}": "没有代表队 {team}",
    "no tie straddles a prize boundary": "没有跨奖项的并列",
    "no tie-break is being played": "没有正在进行的加赛",
    "no timer to add time to": "没有可加时的计时器",
    "nobody holds the floor: there is no answer to judge": "没有代表队获得答题权：无答案可判",
    "only a buzzer question can be re-opened": "只有抢答题可以重新开放抢答",
    "only the chief judge ({chief}) can reopen the result": "只有评委会主任（{chief}）可以重新开启比赛结果",
    "open the buzzers on a question just shown": "请在出示题目后开放抢答",
    "{question} is still in progress: judge it first": "{question}尚未结束：请先判定",
    "question {question} was already asked": "题目 {question} 已经用过",
    "re-opening after a wrong answer is off for this round": "本轮答错后不再开放抢答",
    "reopening the result needs a reason": "重新开启比赛结果必须填写理由",
    "round {round} has no unused questions left": "{round} 已没有未用的题目",
    "round {round} has played all its {count} questions": "{round} 的 {count} 道题已全部答完",
    "stakes are chosen in a risk round only": "只有风险题需要选择分值",
    "{team} does not play this round": "{team}不参加本轮",
    "{team} is not among the tied teams ({tied})": "{team}不在并列的代表队（{tied}）之中",
    "{team} must choose its stake before seeing the question": "{team}须在看题前选择风险分值",
    "{teams} are tied across a prize boundary: play a tie-break": "{teams}跨奖项并列：请进行加赛",
    "{tied} pressed within {ms} ms: decide who answers first": "{tied}在 {ms} 毫秒内同时抢答：请主持人裁定由谁作答",
    "teams are tied at the advancement cut ({teams}): play a tie-break first": "晋级线上出现并列（{teams}）：请先加赛",
    "the buzzers are not open": "抢答尚未开放",
    "the question is already on the big screen": "题目已显示在大屏幕上",
    "the question was answered correctly": "该题已被答对",
    "the result is not final": "比赛结果尚未确认",
    "the rounds are not finished": "比赛轮次尚未结束",
    "the stake must be one of {stakes}": "风险分值必须是 {stakes} 之一",
    "the tie between {teams} is not broken yet": "{teams}之间的并列尚未打破",
    "the timer is already running": "计时器已在运行",
    "the timer is not running": "计时器未在运行",
    "the timer is not paused": "计时器未暂停",
    "the verdict must be one of {allowed}": "判定结果必须是 {allowed} 之一",
    "there is no buzzer tie to decide": "没有需要裁定的同时抢答",
    "there is no further round": "没有下一轮了",
    "there is nothing to redo": "没有可恢复的操作",
    "there is nothing to undo": "没有可撤销的操作",
    "this is not a buzzer question": "这不是抢答题",
    "{field} must be a whole number": "{field} 必须是整数",
    "{field} must be between {low} and {high}": "{field} 必须在 {low} 到 {high} 之间",
    "{judge} has already signed": "{judge} 已经签字",
    "{team} {delta:+d} ({question} {verdict})": "{team} {delta:+d}（{question} {verdict}）",
    "{team} {delta:+d} (correction: {reason})": "{team} {delta:+d}（更正：{reason}）",
    "{team} {delta:+d} (early press, {question})": "{team} {delta:+d}（{question} 提前抢答）",
    "the floor given to {team} in a buzzer tie": "同时抢答裁定由{team}作答",
    "{team} chose a stake of {stake}": "{team}选择风险分值 {stake} 分",
    "the buzzers re-opened": "重新开放抢答",
    "{question} put on the big screen": "{question}上大屏",
    "{seconds} s added to the timer": "加时 {seconds} 秒",
    "Undo: {action}?": "撤销：{action}？",
    "Redo: {action}?": "恢复：{action}？",
    "question {number}": "第{number}题",
    "correct": "正确", "wrong": "错误", "time up": "超时",
    "the evdev package is not installed": "未安装 evdev 软件包",
    "{folder} does not exist on this machine": "本机没有 {folder}",
    "no input devices in {folder}": "{folder} 中没有输入设备",
    "no permission to read {folder}/event* ({count} devices): add the user to the group 'input' or install the udev rule from the README":
        "无权读取 {folder}/event*（{count} 个设备）：请把用户加入 input 组，或安装 README 中的 udev 规则",
    "no keyboard-like input devices in {folder}": "{folder} 中没有键盘类输入设备",
    "the rounds are not finished: a tie-break is played on the final ranking or at the advancement cut":
        "比赛轮次尚未结束：加赛只在最终排名或晋级线上进行",
    "the contest file (check); for pin: the judge's name": "比赛文件（check）；pin：评委姓名",
    "which contest file? finals-app contest check CONTEST.toml": "请指定比赛文件：finals-app contest check 比赛文件.toml",
    "whose PIN? finals-app contest pin JUDGE": "请指定评委：finals-app contest pin 评委姓名",
    "PIN for {judge} (4 to 12 digits): ": "{judge}的密码（4 至 12 位数字）：",
    "a PIN is 4 to 12 digits": "密码须为 4 至 12 位数字",
    "the same PIN again: ": "再次输入密码：",
    "the two PINs differ": "两次输入的密码不一致",
    "put this under [contest.judge_pins] in the contest file:": "请把下面一行写入比赛文件的 [contest.judge_pins] 下：",
    "on a buzzer question the answer clock starts when one team holds the floor": "抢答题的答题计时在某队获得答题权时才开始",
    "run a period's pioneer draw or a day's lottery: an official act, recorded once": "进行某期“灯塔学习先锋”随机抽取或某日参与奖抽奖：正式行为，只记录一次",
    "the period's 灯塔学习先锋 random draw, e.g. P3": "该期“灯塔学习先锋”满分随机抽取，如 P3",
    "the day's participation lottery": "该日的每日参与奖抽奖",
    "the published seed": "公布的随机种子",
    "draw again although a draw is recorded (needs --reason)": "已有抽取记录时重新抽取（须给出 --reason）",
    "why the draw is run again (recorded, shown by draw-verify and in the report)": "重新抽取的理由（记录在案，draw-verify 和汇报材料中可见）",
    "drew {draw} with seed {seed} and recorded it ({winners} of {eligible}); finals-app draw-verify re-computes it":
        "已用随机种子 {seed} 进行 {draw} 抽取并记录（{eligible} 人中抽出 {winners} 人）；可用 finals-app draw-verify 复核",
    "--reason goes with --redraw": "--reason 须与 --redraw 同用",
    "{draw}: seed {seed}, {winners} winners of {eligible} eligible (digest {digest}), recorded {created}":
        "{draw}：随机种子 {seed}，{eligible} 名符合条件者中抽出 {winners} 名（名单摘要 {digest}），记录于 {created}",
    "a redraw; reason recorded: {reason}": "这是重新抽取；已记录理由：{reason}",
    "anyone can re-compute it: finals-app draw-verify --draw {draw}": "任何人都可复核：finals-app draw-verify --draw {draw}",
    "{draw} has not been drawn yet: there is nothing to redraw": "{draw} 尚未抽取：无从重新抽取",
    "a redraw of {draw} needs a reason (--reason)": "重新抽取 {draw} 须说明理由（--reason）",
    "a redraw of {draw} needs a new seed (it was drawn with {seed})": "重新抽取 {draw} 须使用新的随机种子（原种子为 {seed}）",
    "{draw} was drawn on {date} with seed {seed}; drawing it again with another seed needs an explicit redraw with a reason (finals-app draw --redraw --reason ...)":
        "{draw} 已于 {date} 用随机种子 {seed} 抽取；换用其他种子再次抽取，须明确重新抽取并说明理由（finals-app draw --redraw --reason …）",
    "is a folder": "这是一个文件夹",
    "{stage}: started": "{stage}：开始",
    "{stage}: stopped after {seconds:.1f} s": "{stage}：已停止，进行了 {seconds:.1f} 秒",
    "{stage}: done in {seconds:.1f} s": "{stage}：完成，用时 {seconds:.1f} 秒",
    "{stage}: {done:,}/{total:,} ({share:.0%}), {elapsed:.1f} s, {rate:,.0f} rows/s, about {left} s left":
        "{stage}：{done:,}/{total:,}（{share:.0%}），已用 {elapsed:.1f} 秒，每秒 {rate:,.0f} 行，约剩 {left} 秒",
    "{rate:,.0f} rows/s": "每秒 {rate:,.0f} 行",
    "Qt cannot load the font {path}: remove it, it is made again": "Qt 无法加载字体 {path}：请删除该文件，程序会重新生成",
    "{path} has no {family} face": "{path} 中没有 {family} 字体",
    "the ceremony follows the judges' sign-off": "颁奖须在评委签字确认之后",
    "every prize has been announced (replay to start again)": "所有奖项均已揭晓（可重放颁奖）",
    "the ceremony has not started": "颁奖尚未开始",
    "must be one of {allowed}, found {value}": "必须是以下之一：{allowed}，实际为 {value}",
    "the journal's last record was torn by a crash and dropped: {what} ({bytes} bytes, after event {seq}); its bytes are kept in {kept}":
        "比赛记录的最后一条因崩溃未写完，已丢弃：{what}（{bytes} 字节，在第 {seq} 条事件之后）；原始字节保存在 {kept}",
    "unreadable": "无法辨认",
    "no question bank {file} (looked in {folder})": "找不到题库文件 {file}（查找位置：{folder}）",
    "confirm a sync that removes more than the limit of a table's rows": "确认一次会删除超过上限比例行数的同步",
    "refuse a sync that would remove more than this share of a table's rows (default 5)": "同步将删除某表超过此百分比的行时拒绝（默认 5）",
    "--removal-limit is a percentage between 0 and 100": "--removal-limit 是 0 到 100 之间的百分比",
    "this export would remove {missing:,} of the {before:,} rows of table {table} ({share:.1%}, more than {limit:.0%}); if that is right, sync again with --allow-removal":
        "本次导出将删除表 {table} 的 {before:,} 行中的 {missing:,} 行（{share:.1%}，超过 {limit:.0%}）；如确属应当，请加 --allow-removal 再次同步",
    "the store {store} is busy: another finals-app is writing to it (a sync?); waited {seconds} s ({env}); nothing was changed, try again when it has finished":
        "本地数据库 {store} 正被另一个 finals-app 写入（同步中？）；已等待 {seconds} 秒（{env}）；未作任何更改，请待其完成后再试",
    "the disk is full: the store {store} could not be written ({reason}); {folder} has {free} free and this sync needs about {needed}; nothing was changed":
        "磁盘已满：无法写入本地数据库 {store}（{reason}）；{folder} 剩余 {free}，本次同步约需 {needed}；未作任何更改",
    "the store {store} is damaged ({reason}): restore it from a backup, or move it away and sync the export again; nothing was changed":
        "本地数据库 {store} 已损坏（{reason}）：请从备份恢复，或将其移走后重新同步导出库；未作任何更改",
    "cannot write the store {store}: {reason}; nothing was changed": "无法写入本地数据库 {store}：{reason}；未作任何更改",
    "the store {store} could not be read to the end of the listing ({reason}); what was written of it is incomplete":
        "读取本地数据库 {store} 时未能读完整份清单（{reason}）；已写出的部分不完整",
    "cannot read the export: {reason}": "无法读取导出库：{reason}",
    "is out of range for a whole number: {value!r}": "超出整数范围：{value!r}",
    "is not valid UTF-8 text: {value}": "不是有效的 UTF-8 文本：{value}",
    "key {key} appears more than once ({first!r}, then {second!r}): the export is inconsistent":
        "键 {key} 出现了不止一次（{first!r}，然后 {second!r}）：导出库前后矛盾",
    "the Chinese font {family} is not installed, so no PDF can be written: install the package {package} (Debian: apt-get install {package}; scripts/setup.sh does it)":
        "未安装中文字体 {family}，无法生成 PDF：请安装软件包 {package}（Debian：apt-get install {package}；scripts/setup.sh 会安装）",
    "the version, and exit": "显示版本号并退出",
    "internal error ({error}); the details are in {path}": "程序内部错误（{error}）；详情已记录在 {path}",
    "wrong PIN for {judge}": "{judge}的密码错误（已记录）",
    "{judge} has no PIN yet: choose one of 4 to 12 digits": "{judge}尚未设置密码：请设置 4 至 12 位数字密码",
    "{judge}: enter your PIN": "{judge}：请输入您的密码",
    "the prize list changed since it was shown: look at it again": "获奖名单在您查看后已变更：请重新核对",
    "{team} holds the floor: judge its answer": "{team}已获得答题权：请判定其回答",
    "a buzzer race is settling: wait a moment": "抢答结果正在确认，请稍候",
    "stakes must be different, and at most 12 (a key each on the console)": "风险分值不能重复，且最多 12 个（控制台每个分值一个按键）",
    "nobody answered this question: there is nothing to re-open": "本题无人作答：无需重新开放抢答",
    "not a PIN hash of the form scrypt$...: make one with 'finals-app contest pin'":
        "不是 scrypt$… 形式的密码散列：请用“finals-app contest pin”生成",
    "{judge} is not a judge of this contest": "{judge} 不是本场比赛的评委",
    # the stage: journal
    "cannot open the journal {path}: {reason}": "无法打开比赛记录 {path}:{reason}",
    "the journal {path} is already open in another finals-app (process {pid}); close that one first":
        "比赛记录 {path} 已被另一个 finals-app（进程 {pid}）打开；请先关闭那一个",
    "the journal is damaged at line {line} (not a torn last record); keep the file and call for help":
        "比赛记录在第 {line} 行损坏（并非最后一条记录写入中断）；请保留该文件并联系技术人员",
    "the journal {path} is closed": "比赛记录 {path} 已关闭",
    "cannot write the journal {path}: {reason}; the last action was not recorded":
        "无法写入比赛记录 {path}:{reason}；刚才的操作未被记录",
    # the stage: rehearsal
    "not a JSON object": "不是 JSON 对象",
    "{count} events": "{count} 个事件",
    "open tie across a prize boundary: {teams}": "跨奖项并列：{teams}",
    "result is final": "比赛结果已确认",
    "result is not final": "比赛结果尚未确认",
    "line {line}: {cmd} refused: {reason}": "第 {line} 行：{cmd} 被拒绝：{reason}",
    "first": "一等奖", "second": "二等奖", "third": "三等奖",
    "Opening the stage kiosk on {contest}; journal {journal}": "正在打开比赛现场系统：{contest}；比赛记录 {journal}",
    "the awards of {period} have not been run (finals-app awards --period {period} --seed S): "
    "titles from its random draw are missing":
        "{period} 的奖项尚未评出（finals-app awards --period {period} --seed 种子）：其随机抽取的称号未计入",
    "no {kind} with id {id}": "没有 id 为 {id} 的{kind}",
    "branch": "党支部", "committee": "党委", "unit": "单位",
    "{name} has no branches": "{name} 下没有党支部",
    "{name} has no registered party members": "{name} 没有登记的党员",
    "the report is written as a PDF or an XLSX file: give --out FILE.pdf or FILE.xlsx":
        "汇报材料须写成 PDF 或 XLSX 文件：请指定 --out 文件.pdf 或 文件.xlsx",
    "branch {id} has no registered party members": "党支部 {id} 没有登记的党员",
    "no participant with id {id}": "没有 id 为 {id} 的参赛者",
    "give --period P (with --seed S) or --final": "请给出 --period 期次（及 --seed 种子）或 --final",
    "no daily lottery recorded for {days} (finals-app lottery --day D --seed S)":
        "以下日期尚未抽取每日参与奖：{days}（finals-app lottery --day 日期 --seed 种子）",
    "the result is not final: certificates and the results report need every judge's sign-off":
        "比赛结果尚未确认：获奖证书和成绩报告须在全部评委签字后生成",
    "the sync was cancelled; the store is as it was": "同步已取消；数据库保持原样",
    # command descriptions
    "sync the platform's export into the store": '将平台导出库同步到本地数据库',
    'list invalid attempts with their reason': '列出无效答题及原因',
    'personal ranking of a period': '某期个人排名',
    'top 500 and the random 1,500 of a period (runs and records the draw)': '某期前500名与满分随机抽取1500名（进行并记录抽奖）',
    'the daily participation lottery of one day': '某日的每日参与奖抽奖',
    'branch ranking of a period': '某期党支部排名',
    'committee ranking of a period': '某期党委排名',
    'ranking of the online final with the exemplar tiers': '线上决赛排名及学习标兵奖档',
    'recompute recorded draws (or a published one) and compare': '重新计算已记录（或已公布）的抽奖并核对',
    'the rules in force': '当前生效的规则',
    'the excellent organisation award (committees) of a period': '某期优秀组织奖（党委）',
    'learning archive of a party member or a branch across every period synced': '党员或党支部的学习档案（已同步的各期）',
    'participation ledger of a branch in a period': '党支部某期参学参赛人员台账',
    'payout list of a period (or --final): full phone numbers, for the organisers': '某期（或 --final 决赛）话费发放名单：完整手机号，仅供组织者使用',
    'the period report （汇报材料） of a committee or a branch, as PDF or XLSX': '党委或党支部某期汇报材料（PDF 或 XLSX）',
    "each unit's proposed stage team (party members with a pioneer or exemplar title)": '各单位推荐的参赛代表队（获学习先锋或学习标兵称号的党员）',
    'check a contest file (teams, rounds, questions, banks)': '检查比赛文件（代表队、轮次、题目、题库）',
    'run stage commands headless on a contest and its journal': '不打开界面，在比赛文件及其比赛记录上执行现场命令（彩排）',
    "the organisers' office window: sync, tables, charts, the draw ceremony": '组织者办公窗口：同步、表格、图表、抽奖仪式',
    'open the stage kiosk on a contest (resuming its journal if it exists)': '打开比赛现场系统（如有比赛记录则继续）',
    'the stage kiosk on the bundled demo contest, with a fresh journal': '在自带的演示比赛上打开比赛现场系统（新的比赛记录）',
    "after the judges' sign-off: one certificate page per prize-winning member (PDF)": '评委签字后：为每位获奖队员生成一页获奖证书（PDF）',
    "after the judges' sign-off: the results report (PDF or XLSX)": '评委签字后：比赛成绩报告（PDF 或 XLSX）',
    '--serve wants HOST:PORT (for example 0.0.0.0:8765), not {text}': '--serve 需要 HOST:PORT（例如 0.0.0.0:8765），而不是 {text}',
    'a question from the kiosk is incomplete ({problem})': '比赛主机发来的题目不完整（{problem}）',
    'an event from the kiosk is incomplete ({problem})': '比赛主机发来的事件不完整（{problem}）',
    "cannot read the show's tokens {path} ({problem}); move it away to make new ones (phones and screens then pair again)": '无法读取本场令牌文件 {path}（{problem}）；将其移走即可生成新令牌（手机与跟随屏需重新扫码）',
    'cannot serve the show on {host}:{port}: {reason}': '无法在 {host}:{port} 开启网络服务：{reason}',
    "cannot write the show's tokens {path}: {reason}": '无法写入本场令牌文件 {path}：{reason}',
    'event {seq} arrived after {last}: catching up again': '事件 {seq} 在 {last} 之后到达：重新同步',
    'full screen on display N (0 is the first)': '在第 N 个显示器上全屏显示（0 为第一个）',
    'in a window instead of full screen': '以窗口显示，而不是全屏',
    "serve the show on the local network (followers, stream overlay, phone buzzers, judges' tablets); off by default": '在局域网上提供比赛画面（跟随屏、直播叠加页、手机抢答器、评委平板）；默认关闭',
    'the kiosk sent a contest this version cannot read ({problem})': '比赛主机发来的比赛设置本版本无法读取（{problem}）',
    'the kiosk speaks protocol {theirs}, this follower {ours}: use the same version': '比赛主机使用协议 {theirs}，本跟随屏为 {ours}：请使用相同版本',
    "the show's address as the host's console shows it (http://HOST:PORT/?t=...)": '主持人控制台上显示的比赛地址（http://HOST:PORT/?t=...）',
    '{field} must be a whole number of microseconds from 0 to 10 s': '{field} 必须是 0 到 10 秒之间的整数微秒',
    "{url} has no token (?t=...): copy the whole address from the host's console": '{url} 中没有令牌（?t=...）：请从主持人控制台复制完整地址',
    "{url} is not a show address (http://HOST:PORT/?t=..., as on the host's console)": '{url} 不是比赛地址（应为 http://HOST:PORT/?t=...，见主持人控制台）',
    "show one of a served show's screens on this machine (read only)": '在本机显示网络比赛的某一屏幕（只读）',
    # an export being written, a store refused as it lies (issue 24)
    "the export is being written by another process: sync again when it is finished":
        "导出库正在被另一个进程写入：请待其写完后再同步",
    "the export was left half-written: {journal} beside it holds an unfinished transaction; sync again when its "
    "writer has finished, or ask the platform for a new copy":
        "导出库只写了一半：旁边的 {journal} 中有未完成的事务；请待写入它的程序完成后再同步，或向平台索取一份新的导出库",
    "the store {store} is an empty file (0 bytes), not a finals-app store; nothing was changed: delete it to start a "
    "new store, or restore it from a backup":
        "本地数据库 {store} 是一个空文件（0 字节），不是本系统的数据库；未作任何更改：如要新建数据库请删除该文件，否则请从备份恢复",
    "the store {store} is cut short: {size} bytes, where its pages need {expected}; restore it from a backup; nothing "
    "was changed":
        "本地数据库 {store} 不完整：只有 {size} 字节，而其页面需要 {expected} 字节；请从备份恢复；未作任何更改",
    "the store {store} was written by a newer finals-app (store version {found}; this one reads up to {known}): use "
    "that version or a newer one; nothing was changed":
        "本地数据库 {store} 由更新版本的 finals-app 写入（数据库版本 {found}；本版本最高可读 {known}）：请使用该版本或更新的版本；未作任何更改",
    "the store {store} is not a finals-app store (its tables: {tables}): check the --store option; nothing was changed":
        "本地数据库 {store} 不是本系统的数据库（其中的表：{tables}）：请检查 --store 选项；未作任何更改",
}

# The stages of a sync, as its progress says them (not in the catalogue: a table's name is
# also a value in messages, where it stays as it is).
STAGES_ZH = {
    "validate": "校验数据", "compare": "比对变化", "organisation tree": "整理组织树",
    "rules": "按规则计算",
    "organizations": "读取组织", "participants": "读取参赛者", "shares": "读取分享记录", "attempts": "读取答题记录",
    "questions": "读取题库", "write organizations": "写入组织", "write participants": "写入参赛者",
    "write shares": "写入分享记录", "write attempts": "写入答题记录", "write questions": "写入题库",
    "fingerprint attempts": "查找有变化的答题记录", "fingerprint shares": "查找有变化的分享记录",
    "index attempts": "建立答题记录索引", "index shares": "建立分享记录索引",
}


def stage_title(stage: str, language: str | None = None) -> str:
    """A sync stage in the user's language."""
    return STAGES_ZH.get(stage, stage) if (language or current_language()) == "zh_CN" else stage

CATALOGUES = {"zh_CN": ZH_CN, "en": {}}


def current_language() -> str:
    language = os.environ.get("FINALS_APP_LANG", DEFAULT_LANGUAGE)
    return language if language in CATALOGUES else DEFAULT_LANGUAGE


def translate(template: str, language: str | None = None, /, **values) -> str:
    catalogue = CATALOGUES.get(language or current_language(), {})
    text = catalogue.get(template, template)
    return text.format(**values) if values else text
