"""The category tree every installation starts with (editable afterwards, as data).

Top level: (code, name, hours when urgent / high / normal, children as (code, name)).
Children inherit their parent's hours.
"""

DEFAULT_TREE = [
    ("public-facilities", "公共设施", (24, 72, 168), [
        ("road-damage", "道路破损"),
        ("street-light", "路灯损坏"),
        ("manhole-cover", "井盖缺失或破损"),
        ("utility-outage", "水电气暖故障"),
        ("fitness-equipment", "健身器材损坏"),
    ]),
    ("environment", "环境卫生", (12, 48, 96), [
        ("garbage", "垃圾堆积"),
        ("illegal-dumping", "乱扔乱倒"),
        ("sewage", "污水外溢"),
        ("noise", "噪声扰民"),
        ("pests", "病媒生物"),
    ]),
    ("safety-hazards", "安全隐患", (4, 24, 72), [
        ("fire-passage", "消防通道堵塞"),
        ("e-bike-charging", "电动车违规充电"),
        ("building-safety", "房屋安全隐患"),
        ("gas", "燃气隐患"),
        ("falling-objects", "高空坠物"),
    ]),
    ("disputes", "矛盾纠纷", (24, 72, 240), [
        ("neighbours", "邻里纠纷"),
        ("property-management", "物业纠纷"),
        ("family", "家庭纠纷"),
        ("wages", "劳资纠纷"),
    ]),
    ("help-needed", "求助", (4, 24, 72), [
        ("elderly-alone", "独居老人求助"),
        ("disability", "残疾人帮扶"),
        ("hardship", "生活困难"),
        ("medical", "就医求助"),
        # A care visit to a child left behind who needs help (care's migration 0002 adds
        # it, and the next, to existing trees).
        ("left-behind-child", "留守儿童关爱"),
        # A request for remote medical help, answered by the community health centre.
        ("remote-medical", "远程医疗辅助"),
    ]),
    ("epidemic-prevention", "疫情防控", (2, 12, 24), [
        ("fever", "发热人员"),
        ("isolation-needs", "隔离人员生活需求"),
        ("arrivals", "外地返回人员"),
        ("protective-supplies", "防疫物资"),
        ("disinfection", "环境消杀"),
        # Opened by a health check-in with a fever, a listed symptom or a positive test
        # (health.services; the health app's migration 0002 adds it to existing trees).
        ("health-check-in", "健康监测异常"),
    ]),
    # A signed-in resident's own request (诉求), one per kind: answered within the deadline
    # like any event, then rated by the resident (wangge.residents; its migration 0002 adds
    # them to existing trees).
    ("resident-requests", "居民诉求", (24, 72, 120), [
        ("resident-question", "居民咨询"),
        ("resident-need", "居民求助"),
        ("resident-complaint", "居民投诉"),
    ]),
]


# Reports of these tell about someone's health or circumstances (``Category.sensitive``):
# never public. A group marks its children too.
SENSITIVE_DEFAULTS = {
    "neighbours", "family", "wages",
    "help-needed", "elderly-alone", "disability", "hardship", "medical", "left-behind-child",
    "remote-medical",
    "fever", "isolation-needs", "arrivals", "health-check-in",
    # A resident's request is their own words about their own life: never public.
    "resident-requests", "resident-question", "resident-need", "resident-complaint",
}


def install_default_categories(category_model: type) -> None:
    """Create the default tree with ``category_model`` (the historical model in a
    migration); categories that already exist are left as they are."""
    # The model of migration 0002 predates the sensitive flag; migration 0005 sets it there.
    flagged = any(field.name == "sensitive" for field in category_model._meta.get_fields())

    def extra(code: str) -> dict:
        return {"sensitive": code in SENSITIVE_DEFAULTS} if flagged else {}

    for position, (code, name, hours, children) in enumerate(DEFAULT_TREE):
        urgent, high, normal = hours
        deadlines = {"hours_urgent": urgent, "hours_high": high, "hours_normal": normal}
        parent, _created = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "position": position, **deadlines,
                                 **extra(code)})
        for child_position, (child_code, child_name) in enumerate(children):
            category_model.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "parent": parent,
                                           "position": child_position, **deadlines,
                                           **extra(child_code)})
