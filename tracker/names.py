"""The forms a recorded name is found in, as folded keys: what the news matcher, the status
detector and search (search_names) compare text with.

`name_keys(form)` is `fold(form)` (case, accents, hyphens, traditional or simplified Chinese,
the dots between the parts of a name: tracker.text.fold) and, for a Chinese name romanised in
pinyin with the surname first (`Tang Wenbo`, `Ouyang Xiu`), the ways the press also writes it:

- the given name's syllables joined, or apart with a hyphen or a space (`Tang Wen-bo`,
  `Tang Wen bo`, `Tang Wenbo`; a hyphen folds to a space);
- the surname last (`Wenbo Tang`, `Wen-bo Tang`);
- the surname in capitals (`TANG Wenbo`) is the same key already: fold() ignores case.

A name is taken for pinyin only when every part of it is made of pinyin syllables: a surname of
one or two syllables, then a given name of one to three (in one word or several). `Ilham Tohti`,
`Maria Lopez` and `Nguyen Van Minh` get no variants. The keys are made when the watch list's
matcher is built and when a person is saved (search_names), never per comparison.
"""

import functools
import re

from tracker.text import fold

# Every syllable of Mandarin in Hanyu Pinyin without tones (ü folds to u; `lyu`, `nyu` are the
# passports' spelling of lü, nü).
_SYLLABLE_LIST = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can
    cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai
    chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
    deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
    fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang
    gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken
    keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian
    liang liao lie lin ling liu lo long lou lu luan lue lun luo lv lyu ma mai man mang mao me
    mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni
    nian niang niao nie nin ning niu nong nou nu nuan nue nuo nv nyu o ou pa pai pan pang pao pei
    pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
    quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao
    se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang
    shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie
    ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao
    xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue
    yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi
    zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
_SYLLABLES = frozenset(_SYLLABLE_LIST.split())
_LONGEST = max(map(len, _SYLLABLES))
_LETTERS = re.compile("[a-z]+")


@functools.lru_cache(maxsize=4096)
def _syllables(word: str, most: int) -> tuple[tuple[str, ...], ...]:
    """Every way to cut `word` into at most `most` pinyin syllables, fewest first."""
    if not word:
        return ((),)
    if most == 0:
        return ()
    cuts = []
    for length in range(1, min(_LONGEST, len(word)) + 1):
        if word[:length] in _SYLLABLES:
            cuts.extend(
                (word[:length], *rest)
                for rest in _syllables(word[length:], most - 1)
                # Pinyin marks a syllable starting with a, o or e after another with an
                # apostrophe (Xi'an): run together, `xian` is one syllable, not xi-an.
                if not rest or rest[0][0] not in "aoe"
            )
    return tuple(sorted(cuts, key=len))


def _given_name_forms(parts: list[str]) -> list[str]:
    """A given name's forms: its syllables joined, and apart, as each reading of it cuts them
    (`wenbo` -> `wenbo`, `wen bo`; `xian` -> `xian`, `xi an`); [] if it is not pinyin."""
    joined = "".join(parts)
    readings = _syllables(joined, 3)
    if not readings or not all(p in _SYLLABLES for p in parts if len(parts) > 1):
        return []
    forms = [joined]
    forms.extend(" ".join(reading) for reading in readings if len(reading) > 1)
    return list(dict.fromkeys(forms))


def _pinyin_variants(key: str) -> list[str]:
    words = key.split(" ")
    if not 2 <= len(words) <= 4 or not all(_LETTERS.fullmatch(w) for w in words):
        return []
    surname, given = words[0], words[1:]
    if not _syllables(surname, 2):
        return []
    forms = _given_name_forms(given)
    return [variant for form in forms for variant in (f"{surname} {form}", f"{form} {surname}")]


def name_keys(form: str) -> list[str]:
    """The folded keys `form` is found under: fold(form) first, then its variants (see the
    module's docstring); [] for a form that folds to nothing."""
    key = fold(form)
    if not key:
        return []
    return list(dict.fromkeys([key, *_pinyin_variants(key)]))


def all_name_keys(forms) -> list[str]:
    """Every key of every form, each once, in the order of the forms."""
    return list(dict.fromkeys(key for form in forms for key in name_keys(form)))
