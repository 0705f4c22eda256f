"""The campaign page's accountability table stays short on a national campaign: members who answered
or were delivered to come first, the rest fold away (no JavaScript needed); the JSON keeps all."""
from advocacy.public.service import accountability_split


def row(member, constituents, delivered=None, response=None):
    return {"member": member, "constituents": constituents, "delivered_at": delivered, "response": response}


def test_members_who_answered_then_were_delivered_to_come_first_then_by_constituents():
    rows = [row("A", 50), row("B", 3, delivered="2026-11-01T00:00:00Z"), row("C", 1, response={"stance": "supports"}),
            row("D", 70), *(row(f"M{n}", n) for n in range(20))]
    shown, more = accountability_split(rows, shown=4)
    assert [r["member"] for r in shown] == ["C", "B", "D", "A"]
    assert len(more) == 20 and more[0]["member"] == "M19"
    assert len(shown) + len(more) == len(rows)


def test_a_short_table_has_nothing_to_fold():
    shown, more = accountability_split([row("A", 2), row("B", 5)])
    assert [r["member"] for r in shown] == ["B", "A"] and more == []
