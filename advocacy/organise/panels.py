"""Dashboard panels: features add a section to the campaign dashboard without editing it.

    @dashboard_panel("donations/_dashboard.html", order=60)
    def donation_panel(campaign):
        return {"totals": ...}      # available to the template as `panel`
"""
_panels: list[tuple[int, str, object]] = []


def dashboard_panel(template: str, order: int = 50):
    def register(context_fn):
        if all(existing != template for _, existing, _fn in _panels):
            _panels.append((order, template, context_fn))
        return context_fn
    return register


def panels_for(campaign) -> list[tuple[str, dict]]:
    return [(template, fn(campaign)) for _, template, fn in sorted(_panels, key=lambda p: (p[0], p[1]))]
