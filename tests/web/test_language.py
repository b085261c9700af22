import pytest


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hant", "網格化治理"), ("en", "Grid governance"), ("zh-hans", "网格化治理"),
])
def test_language_switch_renders_the_chosen_language(worker_client, language, expected):
    response = worker_client.post("/i18n/setlang/", {"language": language, "next": "/people/"},
                                  follow=True)
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert expected in page


def test_chinese_is_the_default(worker_client):
    page = worker_client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "我的辖区" in page


def test_labels_other_apps_define_are_translated(worker_client, residents):
    page = worker_client.get(f"/people/{residents['a'].pk}/").content.decode()
    assert "居住类型" in page
    assert "户籍人口" in page
    assert "网格员" in page


def test_traditional_catalogue_is_generated_from_the_simplified_one():
    from opencc import OpenCC

    from wangge.web.management.commands.hant_messages import to_traditional

    simplified = ('msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
                  'msgid "Vulnerable groups"\nmsgstr ""\n"特殊群体"\n\n'
                  '#: 网格\nmsgid "%(n)s 网格"\nmsgstr "%(n)s 个网格"\n')
    traditional = to_traditional(simplified, OpenCC("s2tw").convert)
    assert '"Language: zh_Hant\\n"' in traditional
    assert '"特殊群體"' in traditional
    assert 'msgstr "%(n)s 個網格"' in traditional
    # Source text and comments are left alone.
    assert '#: 网格\nmsgid "%(n)s 网格"' in traditional
