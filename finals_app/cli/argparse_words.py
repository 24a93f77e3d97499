"""argparse's own words (usage, error, options) in the language the rest of the command speaks."""
from __future__ import annotations

import argparse

# argparse's own words in Chinese, as the rest of the CLI speaks.
ARGPARSE_ZH = {
    "usage: ": "用法：", "options": "选项", "positional arguments": "位置参数",
    "show this help message and exit": "显示帮助并退出", "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s", "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个参数", "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用", "one of the arguments %s is required": "必须给出参数 %s 之一",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可匹配 %(matches)s",
}


def argparse_speaks(language: str) -> None:
    """argparse says its words in `language` from now on (it looks up its module's `_`)."""
    argparse._ = (lambda text: ARGPARSE_ZH.get(text, text)) if language == "zh_CN" else (lambda text: text)
