"""The legal bases every installation starts with (kept in the back office afterwards: an
article superseded by a revision is marked not in force, and the revision's added)."""

from django.db import migrations

MONITORING, HOME, CENTRAL, BUILDING = (
    "home_monitoring", "home_isolation", "central_isolation", "building_control")

LAW = "《中华人民共和国传染病防治法》（2013年修正）"
EMERGENCY = "《中华人民共和国突发事件应对法》（2007年）"
REGULATION = "《突发公共卫生事件应急条例》（2011年修订）"

BASES = [
    (LAW, "第十二条",
     "一切单位和个人必须接受疾病预防控制机构、医疗机构有关传染病的调查、检验、采集样本、"
     "隔离治疗等预防、控制措施，如实提供有关情况。",
     [MONITORING]),
    (LAW, "第三十九条",
     "对病人、病原携带者予以隔离治疗；对疑似病人确诊前在指定场所单独隔离治疗；对密切接触者"
     "在指定场所进行医学观察和采取其他必要的预防措施。",
     [MONITORING, HOME, CENTRAL]),
    (LAW, "第四十一条",
     "对已经发生甲类传染病病例的场所或者该场所内的特定区域的人员，所在地的县级以上地方人民"
     "政府可以实施隔离措施，并同时向上一级人民政府报告；隔离期间应当对被隔离人员提供生活"
     "保障。",
     [HOME, CENTRAL, BUILDING]),
    (LAW, "第四十二条",
     "传染病暴发、流行时，县级以上地方人民政府报经上一级人民政府决定，可以采取限制或者停止"
     "人群聚集的活动、封闭可能造成传染病扩散的场所等紧急措施。",
     [BUILDING]),
    (EMERGENCY, "第四十九条",
     "突发公共卫生事件发生后，履行统一领导职责的人民政府可以采取控制危险源、划定警戒区、"
     "实行交通管制以及其他控制措施，并提供生活必需品等保障。",
     [CENTRAL, BUILDING]),
    (REGULATION, "第四十四条",
     "需要接受隔离治疗、医学观察措施的病人、疑似病人和传染病病人密切接触者，在卫生行政主管"
     "部门或者有关机构采取医学措施时应当予以配合。",
     [MONITORING, HOME, CENTRAL]),
]


def install(apps, schema_editor):
    LegalBasis = apps.get_model("measures", "LegalBasis")
    for law, article, summary, kinds in BASES:
        LegalBasis.objects.get_or_create(law=law, article=article,
                                         defaults={"summary": summary, "kinds": kinds})


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_measures")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
