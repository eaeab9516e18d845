"""Sanity checks for the region gazetteer ontology/regions.ttl."""
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS

TTL = Path(__file__).resolve().parent.parent / "ontology" / "regions.ttl"
PKG = Namespace("https://w3id.org/policykg/ontology#")
REG = Namespace("https://w3id.org/policykg/region/")
LEVELS = {"province", "municipality", "prefecture-city"}
REQUIRED_IDS = (
    "beijing tianjin shanghai chongqing fujian xiamen shandong weihai yunnan henan "
    "guangdong zhuhai zhejiang jiangsu shenzhen guangzhou hangzhou ningbo qingdao jinan "
    "wuhan chengdu xian nanjing shenyang dalian harbin changchun fuzhou-fujian kunming "
    "zhengzhou"
).split()
SUB_PROVINCIAL = (
    "harbin changchun shenyang dalian jinan qingdao nanjing hangzhou ningbo xiamen "
    "guangzhou shenzhen wuhan chengdu xian"
).split()


@pytest.fixture(scope="module")
def g():
    graph = Graph()
    graph.parse(TTL, format="turtle")
    return graph


@pytest.fixture(scope="module")
def regions(g):
    return set(g.subjects(RDF.type, PKG.Region))


def level(g, r):
    return str(g.value(r, PKG.level))


def test_parses(g, regions):
    assert len(g) > 0
    assert regions


def test_level_counts(g, regions):
    top = [r for r in regions if level(g, r) in ("province", "municipality")]
    assert len(top) == 34
    assert sum(level(g, r) == "municipality" for r in regions) == 4
    assert sum(level(g, r) == "prefecture-city" for r in regions) >= 330


def test_labels_and_level(g, regions):
    for r in regions:
        pref = list(g.objects(r, SKOS.prefLabel))
        assert [l.language for l in pref if l.language == "zh"] == ["zh"], r
        assert [l.language for l in pref if l.language == "en"] == ["en"], r
        levels = list(g.objects(r, PKG.level))
        assert len(levels) == 1 and str(levels[0]) in LEVELS, r


def test_province_links(g, regions):
    for r in regions:
        provs = list(g.objects(r, PKG.province))
        assert len(provs) == 1, r
        p = provs[0]
        assert p in regions and level(g, p) in ("province", "municipality"), r
        if level(g, r) == "prefecture-city":
            assert list(g.objects(r, SKOS.broader)) == [p], r
        else:
            assert p == r, r


def test_capitals(g, regions):
    for r in regions:
        if level(g, r) == "province":
            for c in g.objects(r, PKG.capital):
                assert c in regions and g.value(c, PKG.province) == r, (r, c)
    assert g.value(REG.fujian, PKG.capital) == REG["fuzhou-fujian"]
    assert g.value(REG.yunnan, PKG.capital) == REG.kunming


def test_sub_provincial(g, regions):
    subs = {r for r in regions if g.value(r, PKG.subProvincial) is not None
            and g.value(r, PKG.subProvincial).toPython() is True}
    assert subs == {REG[i] for i in SUB_PROVINCIAL}


def test_zh_labels_unique(g, regions):
    owners = defaultdict(set)
    for r in regions:
        for p in (SKOS.prefLabel, SKOS.altLabel):
            for l in g.objects(r, p):
                if l.language and l.language.lower() in ("zh", "zh-hant"):
                    owners[str(l)].add(r)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared


def test_required_ids(regions):
    missing = [i for i in REQUIRED_IDS if REG[i] not in regions]
    assert not missing


def test_xiamen_lookup(g):
    for text, lang in (("厦门", "zh"), ("廈門", "zh-Hant"), ("厦门市", "zh")):
        subj = set(g.subjects(SKOS.altLabel, Literal(text, lang=lang))) | set(
            g.subjects(SKOS.prefLabel, Literal(text, lang=lang)))
        assert subj == {REG.xiamen}, text


def test_jilin_disambiguated(g):
    assert set(g.subjects(SKOS.altLabel, Literal("吉林", lang="zh"))) == {REG.jilin}
    assert set(g.subjects(SKOS.prefLabel, Literal("吉林市", lang="zh"))) == {REG["jilin-city"]}
