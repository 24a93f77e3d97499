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
    "cannot read the rules file: {reason}": "无法读取规则文件:{reason}",
    "not valid TOML: {reason}": "不是有效的 TOML:{reason}",
    "unknown field (known: {known})": "未知字段(可用字段:{known})",
    "missing field": "缺少字段",
    "expected {expected}, found {found}": "应为{expected},实际为{found}",
    "must be at least {minimum}": "不能小于 {minimum}",
    "must be one of {allowed}": "必须是以下之一:{allowed}",
    "not a time of the form YYYY-MM-DD HH:MM: {value}": "不是 YYYY-MM-DD HH:MM 形式的时间:{value}",
    "not a date of the form YYYY-MM-DD: {value}": "不是 YYYY-MM-DD 形式的日期:{value}",
    "not a clock time of the form HH:MM: {value}": "不是 HH:MM 形式的时刻:{value}",
    "the window ends before it starts": "时间窗口的结束早于开始",
    "period {first} overlaps period {second}": "期次 {first} 与期次 {second} 时间重叠",
    "duplicate id {value}": "重复的 id {value}",
    "must contain {draw_key} exactly once": "必须恰好包含一次 {draw_key}",
    "tiers must follow each other from rank 1 without gaps": "奖档必须从第 1 名起连续、无间断",
    "each ranking key may appear once and participant_id_asc must come last":
        "排名规则中每项只能出现一次,且 participant_id_asc 必须放在最后",
    # export and sync
    "cannot open the export: {reason}": "无法打开导出库:{reason}",
    "the export has no table {table}": "导出库缺少表 {table}",
    "the export's table lacks column {column}": "导出库的表缺少列 {column}",
    "unknown schema_version {value} (this version reads 1)": "未知的 schema_version {value}(本程序读取版本 1)",
    "the export has no schema_version in table meta": "导出库的 meta 表中没有 schema_version",
    "time does not parse: {value!r}": "无法解析的时间:{value!r}",
    "refers to {target} id {value}, which does not exist": "引用了不存在的 {target} id {value}",
    "unknown level {value!r} (unit, committee or branch)": "未知的层级 {value!r}(应为 unit、committee 或 branch)",
    "the organisation tree has a cycle: {path}": "组织树中存在循环:{path}",
    "a participant's branch_id must name a branch, not a {level}": "参赛者的 branch_id 必须指向党支部,而不是 {level}",
    "a unit must have no parent": "单位(unit)不能有上级",
    "a branch has organisations under it: {children}": "党支部下不能再有组织:{children}",
    "is_party_member must be 0 or 1, found {value!r}": "is_party_member 必须为 0 或 1,实际为 {value!r}",
    "must be a positive integer id, found {value!r}": "必须是正整数 id,实际为 {value!r}",
    "must be an integer, found {value!r}": "必须是整数,实际为 {value!r}",
    "must not be empty": "不能为空",
    "duplicate id {value} in the export": "导出库中有重复 id {value}",
    "{count} more problems not shown": "另有 {count} 个问题未列出",
    # usage
    "no period {period} (periods: {known})": "没有期次 {period}(现有期次:{known})",
    "{day} is not a day of any preliminary period": "{day} 不在任何线上初赛期次之内",
    "not a date of the form YYYY-MM-DD: {day}": "不是 YYYY-MM-DD 形式的日期:{day}",
    "a seed is required (--seed): the draw must be reproducible from a published seed":
        "必须提供随机种子(--seed):抽奖须能由公布的种子复现",
    "the store has no synced export yet: run finals-app sync EXPORT first":
        "数据库中还没有同步过的导出数据:请先运行 finals-app sync 导出库",
    "no recorded draw named {name}": "没有名为 {name} 的抽奖记录",
    "cannot open the store {url}: {reason}": "无法打开数据库 {url}:{reason}",
    "the xlsx format writes a file: give --out FILE.xlsx": "xlsx 格式需要写入文件:请指定 --out 文件.xlsx",
    "cannot write {path}: {reason}": "无法写入 {path}:{reason}",
    "cannot read {path}: {reason}": "无法读取 {path}:{reason}",
    # the command line
    "error": "错误",
    "warning": "警告",
    "interrupted; nothing was changed": "已中断;数据未作任何更改",
    "rules in force": "当前规则",
    "Synced {source} in {seconds:.1f} s": "已同步 {source},用时 {seconds:.1f} 秒",
    "The export is unchanged since the last sync: nothing was written.": "导出库自上次同步以来没有变化:未写入任何数据。",
    "table            rows       added    changed    missing": "表                行数        新增       修改       缺失",
    "gone from the export (removed here, listed in missing_rows): {ids}":
        "导出库中已不存在(已从本库移除,记录于 missing_rows):{ids}",
    "Invalid attempts per period and reason:": "各期无效答题(按原因):",
    "No invalid attempts.": "没有无效答题。",
    "with --tickets, give --draw NAME, --seed S and --count K (missing: {missing})":
        "使用 --tickets 时须同时给出 --draw 名称、--seed 种子和 --count 人数(缺少:{missing})",
    "Standings of {period} (top 10)": "{period} 个人排名(前 10 名)",
    "Awards of {period} with seed {seed} (first 10)": "{period} 获奖名单,随机种子 {seed}(前 10 条)",
    "Branch ranking of {period} (top 10)": "{period} 党支部排名(前 10 名)",
    "Online final (top 10)": "线上决赛排名(前 10 名)",
}

CATALOGUES = {"zh_CN": ZH_CN, "en": {}}


def current_language() -> str:
    language = os.environ.get("FINALS_APP_LANG", DEFAULT_LANGUAGE)
    return language if language in CATALOGUES else DEFAULT_LANGUAGE


def translate(template: str, language: str | None = None, /, **values) -> str:
    catalogue = CATALOGUES.get(language or current_language(), {})
    text = catalogue.get(template, template)
    return text.format(**values) if values else text
