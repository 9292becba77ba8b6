"""Problems with a file or an entry, in the reader's language.

The readers (`roles/formats`, `flows`) say what is wrong in English, which scripts and the CLI
keep (`--json`, docs/cli.md). The app says it in Chinese too: each English sentence the readers
make is matched against this phrasebook, its values (ids, names, numbers, the user's own text)
carried over untouched. A sentence the phrasebook lacks is shown in English, whole, rather than
half translated; a test feeds the readers hostile and broken files and requires every problem
they report to be found here.
"""
from __future__ import annotations

import re

from flows.errors import BadInput, Problem

#: English sentence (with {} for each value) → Chinese; the values keep their order.
MESSAGES = {
    # the file as a whole
    "unknown format {}: use {}": "未知格式 {}：请用 {}",
    "cannot be read as UTF-8: {}": "不是 UTF-8 编码，无法读取：{}",
    "is nested too deep to be a workbook": "嵌套层级过深，不是工作簿",
    "holds a number of more digits than Python reads ({})": "含有位数过多、无法读取的数字（{}）",
    "key given twice": "键重复出现",
    "a YAML anchor here (&name) is used again by an alias (*name) or merge key; a workbook takes none: "
    "write the value out instead": "此处的 YAML 锚点（&name）被别名（*name）或合并键再次引用；工作簿不接受别名，请直接写出其值",
    "not valid YAML: {}": "不是有效的 YAML：{}",
    "not valid JSON: {}": "不是有效的 JSON：{}",
    "not a readable XLSX workbook: {}": "不是可读取的 XLSX 工作簿：{}",
    "unknown sheet; expected {}": "未知工作表；应为 {}",
    "declares {} rows; at most {}": "声明了 {} 行；最多 {} 行",
    "has more than {} rows": "超过 {} 行",
    "holds more than {} rows": "超过 {} 行",
    "unknown column {}; expected {}": "未知列 {}；应为 {}",
    "value in column {}, which has no header": "第 {} 列有值，但该列没有表头",
    "unpacked, {}": "解压后{}",
    "unpacks {} times its packed size; at most {} (a spreadsheet built to exhaust memory?)":
        "解压后为压缩大小的 {} 倍；最多 {} 倍（可能是为耗尽内存而构造的表格）",
    "is {} MB; at most {} MB": "大小为 {} MB；最多 {} MB",
    "{} MB is more than a process model can be ({} MB at most)": "{} MB 超出流程模型的上限（最多 {} MB）",
    "this program reads version {}, not {}": "本程序读取第 {} 版格式，而不是 {}",
    "not a leave file: expected one of {}": "不是请假文件：应为 {} 之一",
    "a leave list names the person of each absence; --person is for .ics files":
        "请假清单须写明每条请假的人员；--person 只用于 .ics 文件",
    "a year's schedule holds only `calendar`: each holiday and adjusted working day":
        "年度安排只能包含 `calendar`：每个节假日和调休工作日",
    "year: {} is outside 1900–2100": "年份 {} 不在 1900–2100 之间",
    # fields
    "is required": "必填",
    "unknown key; allowed here: {}": "未知字段；此处允许：{}",
    "must be a mapping of {}, not {}": "应为包含 {} 的映射，而不是{}",
    "must be a list, not {}": "应为列表，而不是{}",
    "must be text, not {}": "应为文本，而不是{}",
    "must be text, not a number that is not finite": "应为文本，而不是非有限数字",
    "must list text, not {}": "列表中应为文本，而不是{}",
    "must list text, not a number that is not finite": "列表中应为文本，而不是非有限数字",
    "must be a whole number, 0 or more, not {}": "应为 0 或以上的整数，而不是 {}",
    "must be a number, 0 or more, not {}": "应为 0 或以上的数字，而不是 {}",
    "must be a finite number, not {}": "应为有限数字，而不是 {}",
    "must be 0 or more, not {}": "应为 0 或以上，而不是 {}",
    "must be at most {}, not {}": "最大为 {}，而不是 {}",
    "must be true or false, not {}": "应为 true 或 false，而不是 {}",
    "must be one of {}, not {}": "应为 {} 之一，而不是 {}",
    "must be a date as YYYY-MM-DD, not {}": "应为 YYYY-MM-DD 格式的日期，而不是 {}",
    "must be a date or a date and time, not {}": "应为日期或日期时间，而不是 {}",
    "{} is no date: {}": "{} 不是日期：{}",
    "no date: {}": "没有日期：{}",
    "{} is outside {}": "{} 不在 {} 之间",
    "lists the same value twice": "同一个值列了两次",
    "is {} characters long; at most {}": "长 {} 个字符；最多 {} 个",
    "{} holds a control character ({})": "{} 含有控制字符（{}）",
    "{} holds a lone surrogate, which is no character": "{} 含有孤立代理项，不是有效字符",
    "{} is no id: use {}": "{} 不是有效编号：请用{}",
    # references and structure
    "{} id {} is used twice (also by {})": "{}编号 {} 重复使用（另见 {}）",
    "{} id {} already belongs to department {} in the database; include that department to replace it":
        "{}编号 {} 已属于数据库中的部门 {}；如要替换，请把该部门一并导入",
    "{} is no reform rule ({})": "{} 不是改革规则（{}）",
    "{} is no section of this department's sections_before": "{} 不是本部门改革前的科室（sections_before）",
    "{} is no function of this department": "{} 不是本部门的职能",
    "no section {} in the workbook or the database": "工作簿和数据库中都没有科室 {}",
    "no person {} in the workbook or the database": "工作簿和数据库中都没有人员 {}",
    "no person {} in the database": "数据库中没有人员 {}",
    "no {} {} in the database": "数据库中没有{} {}",
    "ends ({}) before it starts ({})": "结束日期（{}）早于开始日期（{}）",
    "begins at noon and ends at noon on the same day ({})": "同一天（{}）不能既从下午开始又在上午结束",
    "{} is given twice": "{} 出现了两次",
    "{} is no department of this workbook": "{} 不是本工作簿的部门",
    "{} is no section of department {}": "{} 不是部门 {} 的科室",
    "{} is no process of this workbook": "{} 不是本工作簿的流程",
    "step id {} is used twice in this version": "环节编号 {} 在本版本中重复使用",
    "a {} step needs a name": "{}环节需要名称",
    "{} is not among this step's next steps": "{} 不在本环节的后续环节中",
    "draws a flow to {}, which is not among this step's next steps": "画出了指向 {} 的连线，但它不在本环节的后续环节中",
    "a version needs at least one step": "一个版本至少要有一个环节",
    "steps of the 'before' version carry no holders": "改革前版本的环节不设主办和备岗",
    "drops person {}, who still holds step {} of process {} (department {}); reassign that step first or keep the person":
        "删除了人员 {0}，但其仍承担流程 {2} 的环节 {1}（部门 {3}）；请先改派该环节或保留此人",
    "{} is no step of this version": "{} 不是本版本的环节",
    "branch {} leads to {}, which is not among its next steps": "分支 {} 指向 {}，但它不在后续环节中",
    "cycle with no way to an end: {} (steps {} can never finish)": "存在无法到达结束的循环：{}（环节 {} 永远无法完成）",
    "names no person of the database (use --person, an attendee CN, or a title starting with the person's name or id)":
        "没有写明数据库中的人员（可用 --person、参与人 CN，或以人员姓名或编号开头的标题）",
    "{} is no length of leave": "{} 不是有效的请假时长",
    "{} is before the start {}": "{} 早于开始日期 {}",
    "cannot be read: {}": "无法读取：{}",
    "not an iCalendar file: {}": "不是 iCalendar 文件：{}",
    "'{}': expected 'x y width height', width and height above 0": "'{}'：应为“x y 宽 高”，宽和高大于 0",
    "'{}': expected 'next step: x y x y …' with two points or more": "'{}'：应为“后续环节: x y x y …”，至少两个点",
    "{}: {} is not a list of numbers": "{}：{} 不是数字列表",
    "{}: {} has a number that is not finite": "{}：{} 含有非有限数字",
    "{} holds U+{}, which reorders or breaks the text around it: remove it": "{} 含有 U+{}，会打乱或断开其前后的文字，请删除",
    "is not the whole schedule of {}: it lists {} days off and not {}; the published schedule lists every holiday "
    "(at least {} days off, New Year's Day and National Day among them)":
        "不是 {} 年的完整安排：只列出 {} 天休息日，且缺少 {}；国务院公布的安排列出全部节假日（至少 {} 天休息日，含元旦和国庆节）",
    "is not the whole schedule of {}: it lists {} days off; the published schedule lists every holiday "
    "(at least {} days off, New Year's Day and National Day among them)":
        "不是 {} 年的完整安排：只列出 {} 天休息日；国务院公布的安排列出全部节假日（至少 {} 天休息日，含元旦和国庆节）",
    "only a gateway has a gateway type; this step is a {}": "只有判断分支才有分支方式；此环节是{}",
    "only a task or approval has an activity type; this step is a {}": "只有办理或审批环节才有任务类型；此环节是{}",
    "only an event has an event type; this step is a {}": "只有事件才有事件类型；此环节是{}",
    "only an intermediate event sits on a step; this step is a {}": "只有中间事件可以附着在环节上；此环节是{}",
    "only an intermediate event catches; this step is a {}": "只有中间事件可以等待触发；此环节是{}",
    "only a task or approval compensates; this step is a {}": "只有办理或审批环节可以作补偿；此环节是{}",
    "only a timer event has a timer": "只有定时事件才有定时",
    "only a boundary event may be non-interrupting": "只有边界事件可以不中断",
    "only a link or conditional event has a definition text": "只有链接事件或条件事件才有定义文字",
    "only a sub-process has inner steps": "只有子流程才有内部环节",
    "only a sub-process or an event keeps elements as read": "只有子流程或事件才保留原样元素",
    # refusals: who may, locks, someone else's change
    "too many failed sign-ins for {} from this address: try again in {} minute(s)":
        "账号 {} 在此地址登录失败次数过多，请 {} 分钟后再试",
    "too many failed sign-ins from this address ({}): try again in {} minute(s)":
        "此地址（{}）登录失败次数过多，请 {} 分钟后再试",
    "{}: only the reform office may {}": "{}：只有编办可以{}",
    "{}: may not {} of section {} (the office, or that section's head, may)": "{}：无权{}（科室 {}；编办或该科室负责人可以）",
    "{}: may not change the absences of {} (only their own, their head's or the office's)":
        "{}：无权更改 {} 的请假（只能由本人、其科室负责人或编办更改）",
    "{}: may not write the open items of {}'s handover (they, their head or the office may)":
        "{}：无权填写 {} 交接单的未结事项（本人、其科室负责人或编办可以）",
    "{}: did not act for {} in handover {} (those who did: {}, or the office, may report)":
        "{}：未代 {} 办理交接单 {} 中的事项（代办人 {} 或编办可以填报）",
    "{}: only {} (or the office) may confirm this handover": "{}：只有 {}（或编办）可以确认此交接单",
    "{}: may change only their own password": "{}：只能修改自己的密码",
    "{}: may set only their own contacts": "{}：只能设置自己的通知方式",
    "handover {} was changed by someone else meanwhile (revision {}, not {}); read it again":
        "交接单 {} 已被他人修改（现为第 {} 版，不是第 {} 版），请重新读取",
    "the absence of {} from {} to {} was changed by someone else meanwhile": "{} 自 {} 至 {} 的请假已被他人修改",
    "process {}, {}: saved as revision {} by {} since revision {} was read":
        "流程 {}（{}）：已被保存为第 {} 版，保存人 {}（您读取的是第 {} 版）",
    "process {}, {}: the draft was saved as revision {} by {} since revision {} was read":
        "流程 {}（{}）：草稿已被保存为第 {} 版，保存人 {}（您读取的是第 {} 版）",
    # review before publishing
    "the draft changes nothing of the live version": "草稿与现行版本相同，没有可送审的修改",
    "is not waiting for review": "不在待审核状态",
    "is not waiting for review (its last review was {})": "不在待审核状态（上次审核结果：{}）",
    "{}: only the reform office or the leader in charge of department {} may approve or return process {}":
        "{}：只有编办或部门 {} 的分管领导可以批准或退回流程 {}",
    "{}: submitted process {} for review, and so may not approve or return it: someone else reviews a change":
        "{}：流程 {} 是您提交送审的，不能由您本人批准或退回，须由他人审核",
    "a return says why: give a comment": "退回须说明理由，请填写审批意见",
    "a comment is printable text of at most {} characters": "意见须为可显示的文字，最多 {} 个字",
    "process {}, {}: the live version became revision {} after the draft was started from revision {}; "
    "open the draft again and redo the edit on it":
        "流程 {}（{}）：现行版本已是第 {} 版，而草稿基于第 {} 版；请重新打开草稿，在其上重做修改",
    "another import or change is still being written; nothing was changed, try again when it has finished":
        "另一项导入或修改正在写入；未做任何更改，请待其完成后再试",
    "{}: another publish is running; try again when it has finished": "{}：另一次发布正在进行，请待其完成后再试",
    # accounts, contacts and requests
    "must be one of {}": "应为 {} 之一",
    "a {} account names its person": "{}账号须指定对应人员",
    "no person {}": "没有人员 {}",
    "at least {} characters": "至少 {} 个字符",
    "too easy to guess: use a phrase of your own": "太容易被猜到：请用自己的一句话",
    "1 to 128 characters, no spaces or control characters": "1 到 128 个字符，不含空格或控制字符",
    "is taken": "已被占用",
    "is not the current password": "不是当前密码",
    "an office account cannot switch itself off or out of the office": "编办账号不能停用自己或改为其他角色",
    "an office account cannot remove itself": "编办账号不能删除自己",
    "{} is no notification URL Apprise knows": "{} 不是可识别的通知地址",
    "date: {}": "日期：{}",
    "the range ends on {}, before it starts on {}": "结束日期 {} 早于开始日期 {}",
    "the range {} to {} is longer than {} days": "{} 至 {} 超过 {} 天",
}

#: Parts of an entry's label (split at ", ") and of where it stands.
PARTS = {
    "the file": "文件", "the workbook": "工作簿", "calendar": "日历", "contacts": "通知联系方式", "accounts": "账号",
    "person {}": "人员 {}", "process {}": "流程 {}", "department {}": "部门 {}", "section {}": "科室 {}",
    "section_before {}": "改革前科室 {}", "function {}": "职能 {}", "power {}": "权力事项 {}", "step {}": "环节 {}",
    "after": "改革后", "before": "改革前", "exemption #{}": "豁免 #{}", "absence #{} (person {})": "请假 #{}（人员 {}）",
    "calendar day {}": "日历日 {}", "sheet {}": "工作表 {}", "event {}": "事件 {}", "branch #{}": "分支 #{}",
    "account {}": "账号 {}", "account": "账号", "line {}": "第 {} 行", "column {}": "第 {} 列", "row {}": "第 {} 行",
}

#: Kinds of value named in "must be …, not {kind}".
KINDS = {"accept proposals": "采纳方案", "change accounts": "修改账号", "import a workbook": "导入工作簿",
         "import processes into": "导入流程", "list API clients": "查看接口客户端", "list accounts": "查看账号",
         "list others' contacts": "查看他人的通知方式", "load a year's calendar": "导入年度日历",
         "load the demo data": "载入演示数据", "make API clients": "创建接口客户端", "make accounts": "创建账号",
         "make backups": "备份", "publish the flowchart site": "发布流程图网站", "publish the processes": "发布流程",
         "read the audit trail": "查看操作记录", "read the record of notices": "查看通知记录",
         "record exemptions": "登记豁免", "remove accounts": "删除账号", "restore backups": "恢复备份",
         "revoke API clients": "吊销接口客户端", "run the scheduler": "运行定时任务", "send notices": "发送通知",
         "send the weekly digest": "发送周报", "verify the audit trail": "校验操作记录",
         "edit the processes": "编辑流程", "discard drafts": "放弃草稿",
         "a mapping": "映射", "a list": "列表", "text": "文本", "true/false": "true/false", "a number": "数字",
         "nothing": "空值", "task": "办理", "gateway": "判断分支", "start": "开始", "end": "结束",
         "event": "事件", "head": "科长", "staff": "工作人员", "approval": "审批", "person": "人员", "process": "流程",
         "section": "科室", "department": "部门", "function": "职能", "section_before": "改革前科室",
         "letters, digits, '_', '.' and '-', at most 64": "字母、数字、'_'、'.' 和 '-'，最多 64 个",
         "day is out of range for month": "该月没有这一天", "month must be in 1..12": "月份应在 1–12 之间"}


def _compiled(table: dict[str, str]) -> list[tuple[re.Pattern, str]]:
    """Each template as a pattern, those with more fixed words first: "draws a flow to {}, which is
    not among …" must be tried before "{} is not among …", which would also match it."""
    ordered = sorted(table.items(), key=lambda kv: -len(kv[0].replace("{}", "")))
    return [(re.compile("^" + r"(.+?)".join(re.escape(x) for x in english.split("{}")) + "$", re.S), chinese)
            for english, chinese in ordered]


_MESSAGES, _PARTS = _compiled(MESSAGES), _compiled(PARTS)


def _match(patterns: list[tuple[re.Pattern, str]], text: str, value=lambda v: KINDS.get(v, v)) -> str | None:
    for pattern, chinese in patterns:
        m = pattern.match(text)
        if m:
            return chinese.format(*(value(v) for v in m.groups()))
    return None


def message_zh(message: str) -> str | None:
    """The Chinese of one of the readers' sentences, or None when the phrasebook lacks it. A value
    that is a kind or an entry ("person p001") is said in Chinese too."""
    return _match(_MESSAGES, message, lambda v: KINDS.get(v) or _match(_PARTS, v) or v)


def place_zh(text: str) -> str | None:
    """An entry's label or its place in the file ("process p1, after, step s3"; "line 12") in
    Chinese, or None when a part of it is not in the phrasebook."""
    parts = [_match(_PARTS, p) for p in text.split(", ")]
    return "，".join(parts) if all(parts) else None  # type: ignore[arg-type]


def problem_text(p: Problem, language: str) -> str:
    message = message_zh(p.message) if language == "zh" else None
    if message is None:
        return str(p)
    if not (p.file or p.entry):
        return message
    place = f"（{place_zh(p.where) or p.where}）" if p.where else ""
    field = f"，字段 '{p.field}'" if p.field else ""
    return f"{_match(_PARTS, p.file) or p.file}：{place_zh(p.entry) or p.entry}{place}{field}：{message}"


def problem_lines(e: BadInput, language: str) -> list[str]:
    if language != "zh":
        return e.lines()
    return [problem_text(p, language) for p in e.problems] + ([f"……另有 {e.more:,} 个问题未列出"] if e.more else [])
