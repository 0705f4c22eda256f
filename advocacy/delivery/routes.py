import csv
import io
import json
import re

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..campaigns.service import public_campaign_or_404
from ..extensions import db
from ..organise.access import managed_campaign_or_404, require_login
from ..organise.panels import dashboard_panel
from ..urls import external_url
from . import bp, exports_bp, service
from .forms import PacketForm
from .map_svg import render_state_map

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
exports_bp.before_request(require_login)


# --- public ------------------------------------------------------------------------------

@bp.get("/verify/<sha256>")
def verify(sha256):
    sha256 = sha256.lower()
    packets = service.packets_for_hash(sha256) if SHA256_RE.match(sha256) else []
    if not packets:
        return render_template(
            "errors/error.html", title=_("No delivery has this fingerprint"),
            message=_("No delivery packet of a public campaign was produced here with this SHA-256 "
                      "fingerprint. Check that you copied the whole fingerprint from the packet.")), 404
    return render_template("delivery/verify.html", sha256=sha256, packets=packets)


@bp.get("/campaigns/<slug:slug>/map.svg")
def state_map(slug):
    campaign = public_campaign_or_404(slug)
    svg = render_state_map(service.state_counts(campaign), title=f"Signatures by state: {campaign.title}",
                           id_prefix="map")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=60"})


@bp.app_template_global()
def state_tally_rows(campaign):
    return service.state_entries(campaign)


@bp.app_template_global()
def lawmakers_for(signature):
    from ..geography.service import lawmakers_for as find
    return find(signature)


# --- organisers' exports -----------------------------------------------------------------

def _streamed(make_chunks, *args):
    """Stream on a connection of its own, closed when the body is done: the request's context and
    session are gone by the time a large body is sent."""
    engine = db.engine

    def generate():
        with engine.connect() as connection:
            yield from make_chunks(connection, *args)
    return generate()


def _csv_of(connection, *args):
    return service.csv_chunks(service.listed_signatures(connection, *args))


def _download(chunks, mimetype, filename):
    return Response(chunks, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@exports_bp.get("/campaigns/<slug:slug>/exports/signatures.csv")
def signatures_csv(slug):
    campaign = managed_campaign_or_404(slug)
    service.record_export(current_user, campaign, "signatures_csv")
    return _download(_streamed(_csv_of, campaign.id), "text/csv",
                     f"{campaign.slug}-signatures.csv")


@exports_bp.get("/campaigns/<slug:slug>/exports/packets/<int:packet_id>.csv")
def packet_csv(slug, packet_id):
    """The exact signature list a packet summarises (its SHA-256 is the packet's)."""
    campaign = managed_campaign_or_404(slug)
    packet = service.packet_of(campaign, packet_id) or abort(404)
    service.record_export(current_user, campaign, "packet_signatures_csv", packet_id=packet.id)
    return _download(_streamed(_csv_of, campaign.id, None, packet.generated_at),
                     "text/csv", f"{campaign.slug}-packet-{packet.id}-signatures.csv")


@exports_bp.get("/campaigns/<slug:slug>/exports/signatures.osdi.json")
def signatures_osdi(slug):
    campaign = managed_campaign_or_404(slug)
    service.record_export(current_user, campaign, "signatures_osdi")
    chunks = _streamed(service.osdi_chunks, campaign.id, campaign.title,
                       external_url("campaigns.show", slug=campaign.slug), current_app.config["ORGANISATION_NAME"])
    return _download(chunks, "application/hal+json", f"{campaign.slug}-osdi.json")


LAWMAKER_COLUMNS = ("member", "chamber", "party", "state", "district", "constituents", "may_include",
                    "bioguide_id")


@exports_bp.get("/campaigns/<slug:slug>/exports/lawmakers.csv", defaults={"fmt": "csv"})
@exports_bp.get("/campaigns/<slug:slug>/exports/lawmakers.json", defaults={"fmt": "json"}, endpoint="lawmakers_json")
def lawmakers(slug, fmt):
    campaign = managed_campaign_or_404(slug)
    rows = service.lawmaker_tallies(campaign)
    service.record_export(current_user, campaign, f"lawmakers_{fmt}")
    if fmt == "json":
        body = json.dumps({"campaign": campaign.slug, "rule": service.MULTI_DISTRICT_RULE, "lawmakers": rows},
                          indent=1)
        return _download(iter([body]), "application/json", f"{campaign.slug}-lawmakers.json")
    out = io.StringIO()
    writer = csv.DictWriter(out, LAWMAKER_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return _download(iter([out.getvalue()]), "text/csv", f"{campaign.slug}-lawmakers.csv")


@exports_bp.post("/campaigns/<slug:slug>/exports/packet")
def packet(slug):
    campaign = managed_campaign_or_404(slug)
    form = PacketForm().set_lawmakers(service.lawmaker_tallies(campaign))
    if not form.validate_on_submit():
        abort(400)
    record, pdf = service.create_packet(campaign, current_user, form.recipient.data or None)
    name = f"{campaign.slug}-packet-{record.recipient or 'congress'}-{record.generated_at:%Y%m%d}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@dashboard_panel("delivery/_panel.html", order=40)
def delivery_panel(campaign):
    lawmakers_rows = service.lawmaker_tallies(campaign)
    return {"lawmakers": lawmakers_rows, "form": PacketForm().set_lawmakers(lawmakers_rows),
            "packets": service.recent_packets(campaign)}
