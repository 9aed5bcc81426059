import pytest
from django.test import Client
from django.urls import get_resolver, URLResolver, reverse
from bookwarden.core.models import Library, Membership
from bookwarden.audit.models import AuditEvent

PERSONAS = ["anonymous","director","designee","assistant_director","tech_coordinator","it_staff","human_resources","staff","volunteer","contractor","auditor","outsider","outsider_staff"]

def walk(patterns, ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            n = ns
            if p.namespace:
                n = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from walk(p.url_patterns, n)
        else:
            yield (f"{ns}:{p.name}" if ns else p.name), p

def test_dump(people, client_as):
    nm = Library.objects.get(slug="new-madrid")
    m = Membership.objects.get(user=people["staff"])
    ev = AuditEvent.objects.filter(library=nm).first()
    kw = {"slug": nm.slug, "user_id": people["staff"].pk, "pk": m.pk, "key": "x", "uidb36": "1"}
    rows = []
    for key, p in walk(get_resolver().url_patterns):
        names = p.pattern.regex.groupindex.keys()
        k = {n: kw[n] for n in names}
        if key == "audit:detail":
            k["pk"] = ev.pk
        url = reverse(key, kwargs=k)
        res = []
        for who in PERSONAS:
            c = Client() if who == "anonymous" else client_as(who)
            r = c.get(url)
            s = str(r.status_code)
            if r.status_code in (301,302):
                s += ">" + r["Location"].split("?")[0]
            res.append(s)
        rows.append((key, url, res))
    with open("/tmp/explore/matrix.txt","w") as f:
        for key,url,res in rows:
            f.write(f"{key} {url}\n")
            for w, s in zip(PERSONAS,res):
                f.write(f"   {w}: {s}\n")
