"""`{% fragment NAME OBJECT %}...{% endfragment %}`: a part of a template rendered once per
object while many messages are rendered together (a batch of digests), then reused.

A batch's digests share most of their cases: a case followed by 60 subscribers is rendered
once, not 60 times. The part must depend on OBJECT alone (and on what is the same for every
message of the session: constants, the language, the time zone). Its output is cached in the
dict passed as the context variable `fragment_cache` (none: rendered every time), under NAME
and the object's identity; the cache keeps the object, so that identity is not reused while
it lasts. Loaded as the template library `digest_fragments` (settings TEMPLATES).
"""

from django import template

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name: str, obj: template.base.FilterExpression, nodelist) -> None:
        self.name = name
        self.obj = obj
        self.nodelist = nodelist

    def render(self, context) -> str:
        cache = context.get("fragment_cache")
        if cache is None:
            return self.nodelist.render(context)
        obj = self.obj.resolve(context)
        key = (self.name, id(obj))
        if key not in cache:
            cache[key] = (obj, self.nodelist.render(context))
        return cache[key][1]


@register.tag
def fragment(parser, token) -> FragmentNode:
    try:
        _tag, name, obj = token.split_contents()
    except ValueError:
        message = "{% fragment NAME OBJECT %} takes two arguments"
        raise template.TemplateSyntaxError(message) from None
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(name.strip("\"'"), parser.compile_filter(obj), nodelist)
