"""Work notices to one person through the organisation's own platforms, beside Apprise's group
robots: DingTalk's corp conversation (`asyncsend_v2`, then `getsendresult` for delivered and
read) and WeCom's application message (`message/send` to a `userid`), through roles.platforms.

A person's contact is `dingtalk-user://USERID` or `wecom-user://USERID`, sealed like every other
contact; the same user ids map the OA's approved leave to people (roles.oa_leave).
"""
from __future__ import annotations

from roles.platforms import Platform, PlatformError, call, user_of


def send(url: str, title: str, body: str, pause: float = 1.0) -> str:
    """Send a work notice to the contact's user; returns the receipt to ask about it later
    (`dingtalk:TASK:USER`, `wecom:MSGID:USER`), or raises PlatformError."""
    found = user_of(url)
    if found is None:
        raise PlatformError("not a work-notice contact")
    name, user = found
    p = Platform.of(name)
    text = f"{title}\n\n{body}"
    if name == "dingtalk":
        answer = call(p, "/topapi/message/corpconversation/asyncsend_v2",
                      {"agent_id": p.agent_id, "userid_list": user, "msg": {"msgtype": "text", "text": {"content": text}}},
                      pause=pause)
        return f"dingtalk:{answer.get('task_id')}:{user}"
    answer = call(p, "/cgi-bin/message/send",
                  {"touser": user, "msgtype": "text", "agentid": p.agent_id, "text": {"content": text},
                   "enable_duplicate_check": 1}, pause=pause)
    if user.lower() in str(answer.get("invaliduser", "")).lower().split("|"):
        raise PlatformError(f"wecom: no such user or not allowed: {user}")
    return f"wecom:{answer.get('msgid')}:{user}"


def status(receipt: str) -> str | None:
    """What became of a sent work notice: "read", "delivered", "failed: why", or None when the
    platform cannot tell yet. WeCom's message/send answers for delivery at once (an unknown user
    is refused there) and its open API reports no reads of application messages: "delivered"."""
    name, _, rest = receipt.partition(":")
    task, _, user = rest.rpartition(":")
    if name == "wecom":
        return "delivered"
    if name != "dingtalk":
        return None
    p = Platform.of(name)
    answer = call(p, "/topapi/message/corpconversation/getsendresult",
                  {"agent_id": p.agent_id, "task_id": int(task) if task.isdigit() else task})
    result = answer.get("send_result") or {}
    listed = lambda key: user in (result.get(key) or [])  # noqa: E731
    if listed("read_user_id_list"):
        return "read"
    if listed("unread_user_id_list"):
        return "delivered"
    for key in ("invalid_user_id_list", "forbidden_user_id_list", "failed_user_id_list"):
        if listed(key):
            return f"failed: {key.removesuffix('_user_id_list')}"
    return None
