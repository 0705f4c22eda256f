import io
import json
import re

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_login
from ..campaigns.service import public_campaign_or_404
from ..extensions import db
from ..forms import MAX_BIG_ID
from ..spreadsheets import UTF8_BOM, XLSX_MIMETYPE, csv_writer, neutralise, xlsx_chunks
from . import bp, cwc, exports, exports_bp, osdi, packets, progress, sending, tallies
from .forms import CsrfOnlyForm, OfficeContactForm, PacketForm, ThresholdForm
from .map_svg import render_state_map

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
exports_bp.before_request(require_login)


# --- public ------------------------------------------------------------------------------

@bp.get("/verify/<sha256>")
def verify(sha256):
    sha256 = sha256.lower()
    found = packets.packets_for_hash(sha256) if SHA256_RE.match(sha256) else []
    if not found:
        return render_template(
            "errors/error.html", title=_("No delivery has this fingerprint"),
            message=_("No delivery packet of a public campaign was produced here with this SHA-256 "
                      "fingerprint. Check that you copied the whole fingerprint from the packet.")), 404
    return render_template("delivery/verify.html", sha256=sha256, packets=found)


# --- the office link: a delivery's recipient downloads it without an account -------------------

def _office_packet_or_404(token, opening=False):
    packet = packets.office_delivery(token, opening)
    if packet is None or not (packet.has_list or packet.purged_at):
        abort(404)
    return packet


def _gone(packet):
    """A delivery whose stored list and PDF were deleted at the end of the personal-data lifetime."""
    return render_template(
        "errors/error.html", title=_("This delivery's files were deleted"),
        message=_("The signature list and packet of this delivery were deleted on %(date)s, when the "
                  "personal data they held reached the end of its lifetime. Its fingerprint, count and date "
                  "are kept on the public verification page.", date=packet.purged_at.strftime("%Y-%m-%d"))), 410


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/delivery/<token>")
def office(token):
    packet = _office_packet_or_404(token, opening=True)
    if packet.purged_at:
        return _private(make_response(_gone(packet)))
    return _private(make_response(render_template("delivery/office.html", packet=packet, token=token)))


@bp.get("/delivery/<token>/signatures.csv")
def office_csv(token):
    packet = _office_packet_or_404(token)
    if packet.purged_at:
        return _private(make_response(_gone(packet)))
    return _private(_download(iter([packets.packet_csv_bytes(packet)]), "text/csv",
                              f"{packet.campaign.slug}-delivery-{packet.id}-signatures.csv"))


@bp.get("/delivery/<token>/packet.pdf")
def office_pdf(token):
    packet = _office_packet_or_404(token)
    if packet.purged_at:
        return _private(make_response(_gone(packet)))
    if packet.preparing:
        return redirect(url_for("delivery.office", token=token), code=303)
    return _private(_download(iter([packet.pdf]), "application/pdf",
                              f"{packet.campaign.slug}-delivery-{packet.id}.pdf"))


@bp.get("/campaigns/<slug:slug>/map.svg")
def state_map(slug):
    campaign = public_campaign_or_404(slug)
    svg = render_state_map(tallies.state_counts(campaign), title=f"Signatures by state: {campaign.title}",
                           id_prefix="map")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=60"})


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
    return exports.csv_chunks(exports.listed_signatures(connection, *args))


def _xlsx_of(connection, *args):
    return exports.xlsx_of_signatures(exports.listed_signatures(connection, *args))


def _download(chunks, mimetype, filename):
    return Response(chunks, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@exports_bp.get("/campaigns/<slug:slug>/exports/signatures.csv")
def signatures_csv(slug):
    campaign = managed_campaign_or_404(slug)
    exports.record_export(current_user, campaign, "signatures_csv")
    return _download(_streamed(_csv_of, campaign.id), "text/csv",
                     f"{campaign.slug}-signatures.csv")


@exports_bp.get("/campaigns/<slug:slug>/exports/signatures.xlsx")
def signatures_xlsx(slug):
    """The signature list for spreadsheets. XlsxWriter needs a file: the workbook is written to a
    temporary file on the export's own connection, then streamed back (see spreadsheets.xlsx_chunks)."""
    campaign = managed_campaign_or_404(slug)
    exports.record_export(current_user, campaign, "signatures_xlsx")
    return _download(_streamed(_xlsx_of, campaign.id), XLSX_MIMETYPE, f"{campaign.slug}-signatures.xlsx")


@exports_bp.get("/campaigns/<slug:slug>/exports/packets/<int:packet_id>.csv", defaults={"fmt": "csv"})
@exports_bp.get("/campaigns/<slug:slug>/exports/packets/<int:packet_id>.xlsx", defaults={"fmt": "xlsx"},
                endpoint="packet_xlsx")
def packet_csv(slug, packet_id, fmt):
    """The exact signature list a packet summarises (the CSV's SHA-256 is the packet's; the XLSX holds
    the same rows for spreadsheets)."""
    campaign = managed_campaign_or_404(slug)
    packet = packets.packet_of(campaign, packet_id) or abort(404)
    if packet.purged_at:
        return _gone(packet)
    exports.record_export(current_user, campaign, f"packet_signatures_{fmt}", packet_id=packet.id)
    filename = f"{campaign.slug}-packet-{packet.id}-signatures.{fmt}"
    stored = packets.packet_csv_bytes(packet)
    if stored is not None:  # the frozen delivery: its CSV byte for byte, or the same rows as a workbook
        if fmt == "csv":
            return _download(iter([stored]), "text/csv", filename)
        return _download(exports.xlsx_of_stored_csv(stored), XLSX_MIMETYPE, filename)
    make, mimetype = (_csv_of, "text/csv") if fmt == "csv" else (_xlsx_of, XLSX_MIMETYPE)
    return _download(_streamed(make, campaign.id, None, packet.generated_at), mimetype, filename)


@exports_bp.get("/campaigns/<slug:slug>/exports/packets/<int:packet_id>.pdf")
def packet_pdf(slug, packet_id):
    """The packet as it was generated (stored), byte for byte."""
    campaign = managed_campaign_or_404(slug)
    packet = packets.packet_of(campaign, packet_id) or abort(404)
    if packet.purged_at:
        return _gone(packet)
    if packet.preparing:
        return redirect(url_for("exports.packet_page", slug=campaign.slug, packet_id=packet.id), code=303)
    if packet.pdf is None:
        abort(404)
    exports.record_export(current_user, campaign, "packet_pdf", packet_id=packet.id)
    return _download(iter([packet.pdf]), "application/pdf", f"{campaign.slug}-packet-{packet.id}.pdf")


# --- OSDI v1 (osdi.py): the signatures as HAL+JSON resources, paged ------------------------

def _hal(document, status=200):
    response = current_app.response_class(json.dumps(document, ensure_ascii=False, indent=1), status=status,
                                          mimetype="application/hal+json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _origin():
    return current_app.config["ORGANISATION_NAME"]


@exports_bp.get("/campaigns/<slug:slug>/exports/signatures.osdi.json")
def signatures_osdi(slug):
    """The former one-document export: now the first page of the OSDI collection."""
    campaign = managed_campaign_or_404(slug)
    return redirect(url_for("exports.osdi_signatures", slug=campaign.slug), code=308)


@exports_bp.get("/campaigns/<slug:slug>/osdi")
def osdi_petition(slug):
    campaign = managed_campaign_or_404(slug)
    return _hal(osdi.petition(campaign, _origin()))


@exports_bp.get("/campaigns/<slug:slug>/osdi/signatures")
def osdi_signatures(slug):
    campaign = managed_campaign_or_404(slug)
    try:
        wanted = osdi.paging(request.args.get("page"), request.args.get("per_page"))
    except osdi.BadPage as error:
        return _hal({"error": str(error)}, 400)
    document = osdi.signatures_page(campaign, wanted, _origin())
    if document is None:
        return _hal({"error": f"page {wanted.page} is past the last page"}, 404)
    exports.record_export(current_user, campaign, "signatures_osdi", page=wanted.page, per_page=wanted.per_page)
    return _hal(document)


@exports_bp.get("/campaigns/<slug:slug>/osdi/signatures/<int:signature_id>", endpoint="osdi_signature",
                defaults={"kind": "signature"})
@exports_bp.get("/campaigns/<slug:slug>/osdi/people/<int:signature_id>", endpoint="osdi_person",
                defaults={"kind": "person"})
def osdi_record(slug, signature_id, kind):
    """One signature, or the person who made it (a person here is the signer of one signature: the
    same address on another campaign is not linked, so one campaign's organisers learn nothing of another's)."""
    campaign = managed_campaign_or_404(slug)
    signature = osdi.listed_signature(campaign, signature_id) if signature_id <= MAX_BIG_ID else None
    if signature is None:
        return _hal({"error": f"no confirmed signature {signature_id} in this campaign"}, 404)
    exports.record_export(current_user, campaign, f"osdi_{kind}", signature_id=signature_id)
    make = osdi.signature if kind == "signature" else osdi.person
    return _hal(osdi.with_curies(make(campaign, signature, _origin())))


LAWMAKER_COLUMNS = ("member", "chamber", "party", "state", "district", "constituents", "may_include",
                    "bioguide_id")


@exports_bp.get("/campaigns/<slug:slug>/exports/lawmakers.csv", defaults={"fmt": "csv"})
@exports_bp.get("/campaigns/<slug:slug>/exports/lawmakers.json", defaults={"fmt": "json"}, endpoint="lawmakers_json")
@exports_bp.get("/campaigns/<slug:slug>/exports/lawmakers.xlsx", defaults={"fmt": "xlsx"}, endpoint="lawmakers_xlsx")
def lawmakers(slug, fmt):
    campaign = managed_campaign_or_404(slug)
    rows = tallies.lawmaker_tallies(campaign)
    exports.record_export(current_user, campaign, f"lawmakers_{fmt}")
    if fmt == "json":
        body = json.dumps({"campaign": campaign.slug, "rule": tallies.MULTI_DISTRICT_RULE, "lawmakers": rows},
                          indent=1)
        return _download(iter([body]), "application/json", f"{campaign.slug}-lawmakers.json")
    if fmt == "xlsx":
        cells = ([row[column] for column in LAWMAKER_COLUMNS] for row in rows)
        return _download(xlsx_chunks("Lawmakers", LAWMAKER_COLUMNS, cells, {"member": 28}), XLSX_MIMETYPE,
                         f"{campaign.slug}-lawmakers.xlsx")
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv_writer(out)
    writer.writerow(LAWMAKER_COLUMNS)
    writer.writerows([neutralise(row[column]) for column in LAWMAKER_COLUMNS] for row in rows)
    return _download(iter([out.getvalue()]), "text/csv", f"{campaign.slug}-lawmakers.csv")


@exports_bp.post("/campaigns/<slug:slug>/exports/packet")
def packet(slug):
    campaign = managed_campaign_or_404(slug)
    form = PacketForm().set_lawmakers(tallies.lawmaker_tallies(campaign), campaign)
    if not form.validate_on_submit():
        abort(400)
    packet_record = packets.create_packet(campaign, current_user, form.recipient.data or None)
    return redirect(url_for("exports.packet_page", slug=slug, packet_id=packet_record.id), code=303)


@exports_bp.get("/campaigns/<slug:slug>/exports/packets/<int:packet_id>")
def packet_page(slug, packet_id):
    """A delivery: its PDF once the worker has rendered it ("being prepared" until then), its list."""
    campaign = managed_campaign_or_404(slug)
    packet = packets.packet_of(campaign, packet_id) or abort(404)
    response = make_response(render_template("delivery/packet.html", campaign=campaign, packet=packet))
    response.headers["Cache-Control"] = "no-store"
    return response



# --- sending deliveries: office addresses, email, CWC, the threshold ----------------------------

def _delivery_page(campaign, threshold_form=None, contact_forms=None, status=200):
    lawmakers = tallies.lawmaker_tallies(campaign)
    contacts = sending.office_contacts(campaign)
    forms = {row["bioguide_id"]: OfficeContactForm(formdata=None, data={"email": contacts.get(row["bioguide_id"], "")})
             for row in lawmakers}
    forms.update(contact_forms or {})
    for bioguide_id, form in forms.items():
        form.email.id = f"email-{bioguide_id}"  # one page, one form per member: ids stay unique
    recent = packets.recent_packets(campaign, limit=50)
    return render_template(
        "delivery/send.html", campaign=campaign, lawmakers=lawmakers, contacts=contacts, contact_forms=forms,
        ready=progress.ready_members(campaign), packets=recent,
        threshold_form=threshold_form or ThresholdForm(formdata=None, obj=campaign),
        sends=sending.send_records(campaign), cwc_on=cwc.cwc_enabled(),
        cwc_messages=cwc.cwc_messages(campaign.id)), status


@exports_bp.get("/campaigns/<slug:slug>/delivery")
def delivery_page(slug):
    return _delivery_page(managed_campaign_or_404(slug))


@exports_bp.post("/campaigns/<slug:slug>/delivery/threshold")
def delivery_threshold(slug):
    campaign = managed_campaign_or_404(slug)
    form = ThresholdForm()
    if not form.validate_on_submit():
        return _delivery_page(campaign, threshold_form=form, status=422)
    progress.set_delivery_threshold(campaign, form.delivery_threshold.data, current_user)
    flash(_("Threshold saved."))
    return redirect(url_for("exports.delivery_page", slug=slug), code=303)


@exports_bp.post("/campaigns/<slug:slug>/delivery/contacts/<bioguide_id>")
def office_contact(slug, bioguide_id):
    campaign = managed_campaign_or_404(slug)
    if bioguide_id not in {row["bioguide_id"] for row in tallies.lawmaker_tallies(campaign)}:
        abort(404)
    form = OfficeContactForm()
    if not form.validate_on_submit():
        return _delivery_page(campaign, contact_forms={bioguide_id: form}, status=422)
    sending.set_office_contact(campaign, bioguide_id, form.email.data, current_user)
    flash(_("Office address saved.") if form.email.data.strip() else _("Office address removed."))
    return redirect(url_for("exports.delivery_page", slug=slug) + f"#member-{bioguide_id}", code=303)


@exports_bp.post("/campaigns/<slug:slug>/delivery/packets/<int:packet_id>/send")
def send_packet(slug, packet_id):
    campaign = managed_campaign_or_404(slug)
    packet_record = packets.packet_of(campaign, packet_id) or abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        send = sending.send_packet(campaign, packet_record, current_user)
    except sending.NoOfficeContact:
        flash(_("Enter the office's email address for this member first."))
        return _delivery_page(campaign, status=409)
    flash(_("The delivery is on its way to %(email)s.", email=send.to_address))
    return redirect(url_for("exports.delivery_page", slug=slug) + "#sent", code=303)
