import hashlib
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from ..bots.service import without_fill_timer
from ..campaigns.service import cached_public_campaign, campaign_text, public_campaign_or_404, render_markdown
from ..delivery.tallies import public_tallies, state_entries
from ..donations.service import donation_offer, donations_enabled
from ..extensions import csrf, limiter
from ..geography.service import contacts_for, lawmakers_for, members_by_seat
from ..growth.cards import preview_meta
from ..growth.open_data import recent_hours_chart
from ..growth.sharing import share_links
from ..signatures import service as signatures
from ..signatures.counting import signature_count, tallies_read_once
from ..signatures.districts import NotACandidate, choose_district, district_candidates
from ..signatures.forms import LetterForm, SignForm, clean_source, plainly_valid_signer
from ..signatures.identity import canonical_email
from ..signatures.letters import LetterDetails, letter_of, public_letters, write_letter
from ..signatures.service import SignatureError, SignerDetails
from ..updates.service import STANCE_LABELS, published_updates
from . import bp
from .admission import NoSigningSlot, in_a_signing_slot
from .service import (
    accountability_rows,
    accountability_split,
    campaign_summary,
    open_campaigns,
    page_cache,
    progress_percent,
    timeline,
)

PROBLEM_STATUS = {"invalid_link": 404, "expired_link": 410, "closed": 410}
# The sign form's hidden source field as the cached page holds it: `with_source` fills in each
# visitor's validated ?source=, so one cached render serves every source code.
SOURCE_SLOT = "__page_source__"

# Public pages carry no per-visitor token, so a page (and its count) can be served from a cache.
# Their forms (sign, confirm, remove) refuse cross-site posts by what the browser says instead:
# Sec-Fetch-Site (every current browser) or, failing that, Origin. A post with neither header
# comes from no browser, and CSRF is an attack through a browser. Organiser forms keep tokens.
csrf.exempt(bp)


def _own_origins() -> set[str]:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return {f"{base.scheme}://{base.netloc}", request.host_url.rstrip("/")}


@bp.before_request
def refuse_cross_site_posts():
    if request.method != "POST":
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            abort(403)
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin not in _own_origins():
        abort(403)


def _shared_cache_allowed() -> bool:
    """Only what every anonymous visitor would see may be cached for everyone."""
    return not session and not current_user.is_authenticated


def _cacheable(response):
    """A shared cache (CDN) may keep the page PUBLIC_PAGE_MAX_AGE seconds and serve it stale for 30 s
    while it refreshes; browsers ask again each time, so a signer coming back sees their signature."""
    if _shared_cache_allowed():
        response.headers["Cache-Control"] = (
            f"public, max-age=0, s-maxage={current_app.config['PUBLIC_PAGE_MAX_AGE']}, "
            "stale-while-revalidate=30")
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_errorhandler(SignatureError)
def signature_problem(error: SignatureError):
    return render_template("signatures/problem.html", reason=error.reason, campaign=error.campaign), \
        PROBLEM_STATUS.get(error.reason, 400)


@bp.errorhandler(NoSigningSlot)
def too_busy(_error):
    """Every signing slot stayed taken: nothing was recorded, and the visitor is asked to press again."""
    response = make_response(render_template("signatures/problem.html", reason="busy", campaign=None), 503)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    return render_template("campaigns/home.html", campaigns=open_campaigns(), progress=progress_percent)


def render_campaign(campaign, form=None, status=200):
    with tallies_read_once():
        return _render_campaign(campaign, form, status)


def _render_campaign(campaign, form, status):
    count = signature_count(campaign.id)
    locale = str(get_locale())
    text = campaign_text(campaign, locale)  # in the visitor's language where written, else English
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        text=text,
        background_html=render_markdown(text.background),
        count=count,
        percent=progress_percent(count, campaign.goal),
        form=form or SignForm(),
        comments=signatures.recent_public_comments(campaign),
        updates=published_updates(campaign, locale),
        letters=public_letters(campaign),
        state_rows=state_entries(campaign),
        donations_on=donations_enabled(),
        source_slot=SOURCE_SLOT if form is None else "",
        share=share_links(campaign),
        preview=preview_meta(campaign, count, str(get_locale() or "en")),
        chart=recent_hours_chart(campaign.id),
        accountability=accountability_split(accountability_rows(campaign)),
        timeline=timeline(campaign),
        stance_labels=STANCE_LABELS,
    ), status


def with_source(body: str, source: str | None) -> str:
    """The page with its sign form carrying `source` (clean_source: letters, digits, - and _)."""
    return body.replace(f'name="source" value="{SOURCE_SLOT}"', f'name="source" value="{source or ""}"', 1)


def _with_etag(text: str, tagged: str | None = None) -> tuple[bytes, str]:
    """What the page cache keeps: the encoded body and its ETag (of `tagged`, by default the body),
    computed once per render."""
    body = text.encode()
    return body, hashlib.blake2b(body if tagged is None else tagged.encode(), digest_size=12).hexdigest()


def _cached_response(entry: tuple[bytes, str], mimetype: str):
    """The cached bytes as they are (no template, no database), or 304 Not Modified when the
    visitor's (or CDN's) copy has the same ETag."""
    body, etag = entry
    response = current_app.response_class(body, mimetype=mimetype)
    response.set_etag(etag)
    return _cacheable(response.make_conditional(request))


def _page_entry(text: str) -> tuple[str, bytes, str]:
    """What the page cache keeps of a campaign page: the text with its source slot (for visitors who
    came with ?source=), and the bytes and ETag of the page without a source (everyone else). The
    ETag leaves out the sign form's render time, which changes with every render of the same page."""
    page = with_source(text, None)
    return (text, *_with_etag(page, without_fill_timer(page)))


@bp.get("/campaigns/<slug:slug>")
def show(slug):
    source = clean_source(request.args.get("source"))
    if not _shared_cache_allowed():
        body, _status = render_campaign(public_campaign_or_404(slug))
        return _cacheable(make_response(with_source(body, source)))
    text, body, etag = page_cache.get_or_render(("page", slug, str(get_locale())),
                                                lambda: _page_entry(render_campaign(public_campaign_or_404(slug))[0]))
    if source:  # the same cached render, with the visitor's source in the form
        return _cacheable(make_response(with_source(text, source)))
    return _cached_response((body, etag), "text/html")


@bp.get("/campaigns/<slug:slug>.json")
def show_json(slug):
    def render():
        campaign = public_campaign_or_404(slug)
        with tallies_read_once():
            return _with_etag(current_app.json.dumps(campaign_summary(campaign) | public_tallies(campaign)
                                                     | {"accountability": accountability_rows(campaign),
                                                        "timeline": timeline(campaign)}))

    response = _cached_response(page_cache.get_or_render(("json", slug), render), "application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _email_key():
    return "sign-email:" + canonical_email(request.form.get("email", ""))


@bp.post("/campaigns/<slug:slug>/sign")
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_IP"])
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_EMAIL"], key_func=_email_key)
@in_a_signing_slot
def sign_campaign(slug):
    campaign = cached_public_campaign(slug)  # a copy up to CAMPAIGN_CACHE_SECONDS old; sign() checks it is open
    if not campaign.accepts_signatures():
        campaign = public_campaign_or_404(slug)
        if not campaign.accepts_signatures():
            raise SignatureError("closed", campaign)
    signer = plainly_valid_signer(request.form)  # the common case, without building the form
    if signer is None:
        form = SignForm()
        if not form.validate_on_submit():
            return render_campaign(public_campaign_or_404(slug), form=form, status=422)
        signer = form.signer_values()
    signatures.sign(campaign, SignerDetails(**signer, locale=str(get_locale() or "en"), ip=request.remote_addr))
    # `slug`, not campaign.slug: the campaign object expired with the commit, and reading it again
    # would cost a round trip to the database on every signature.
    return redirect(url_for("public.check_email", slug=slug), code=303)


@bp.get("/campaigns/<slug:slug>/check-your-email")
def check_email(slug):
    return render_template("signatures/check_email.html", campaign=public_campaign_or_404(slug))


@bp.get("/signatures/confirm/<token>")
def confirm_page(token):
    signature = signatures.signature_for_token(token, "confirm")
    return render_template("signatures/confirm.html", signature=signature, campaign=signature.campaign)


@bp.post("/signatures/confirm/<token>")
@in_a_signing_slot
def confirm(token):
    """Confirm, then send the browser to the confirmed page (POST, redirect, GET): reloading or going
    back to that page never posts again, and the post stays cheap under a surge."""
    signatures.confirm(token)
    return redirect(url_for("public.confirmed", token=token), code=303)


@bp.get("/signatures/confirmed/<token>")
def confirmed(token):
    """The confirmed page: the signer's members, the district question, the letter, removal."""
    confirmation = signatures.confirmation_of(token)
    if confirmation is None:  # not confirmed yet: the page with the button
        return redirect(url_for("public.confirm_page", token=token), code=303)
    response = make_response(_confirmed_page(token, confirmation, saved=request.args.get("saved")))
    response.headers["Cache-Control"] = "private, no-store"  # the signer's own page: names, letter, links
    return response


def _confirmed_again(token, **page):
    """The confirmed page with an error on it (status 422), or the button page if not confirmed."""
    confirmation = signatures.confirmation_of(token)
    if confirmation is None:
        return redirect(url_for("public.confirm_page", token=token), code=303)
    return _confirmed_page(token, confirmation, status=422, **page)


def _letter_form(formdata=None) -> LetterForm:
    return LetterForm(formdata=formdata, address_required=current_app.config["CWC_ENABLED"])


def _confirmed_page(token, confirmation, letter_form=None, district_error=False, saved=None, status=200):
    """What a signer sees once confirmed: their members to call (with the campaign's call script),
    the question of their district when their ZIP spans several, their letter, the donation offer."""
    signature = confirmation.signature
    campaign = signature.campaign
    lawmakers = lawmakers_for(signature, confirmation.districts, campaign.target_chamber, campaign.targeted_states())
    house, _senate = members_by_seat()
    candidates = [(label, house.get(label)) for label in district_candidates(signature.id)] if lawmakers else []
    letter = letter_of(signature.id)
    if letter_form is None:
        letter_form = _letter_form()
        if letter is not None:
            letter_form.body.data = letter.body
            letter_form.reach.data = "public" if letter.show_publicly else "members"
            letter_form.show_name.data = letter.show_name
            letter_form.street_address.data = letter.street_address or ""
            letter_form.city.data = letter.city or ""
            letter_form.prefix.data = letter.prefix or ""
    return render_template(
        "signatures/confirmed.html", signature=signature, campaign=campaign, token=token,
        remove_url=confirmation.remove_url, lawmakers=lawmakers,
        contacts=contacts_for(lawmakers, signature.postal_code, signature.town or ""),
        candidates=candidates, chosen=confirmation.districts[0] if len(confirmation.districts) == 1 else None,
        district_error=district_error, letter=letter, letter_form=letter_form, saved=saved,
        cwc_enabled=current_app.config["CWC_ENABLED"], offer=donation_offer(campaign, signature),
        share=share_links(campaign)), status


@bp.post("/signatures/confirm/<token>/district")
def choose_district_view(token):
    try:
        choose_district(token, request.form.get("district", ""))
    except NotACandidate:
        return _confirmed_again(token, district_error=True)
    return redirect(url_for("public.confirmed", token=token, saved="district", _anchor="your-district"), code=303)


@bp.post("/signatures/confirm/<token>/letter")
def write_letter_view(token):
    signature = signatures.signature_for_token(token, "confirm")
    if signature.status not in ("confirmed", "held"):  # an error page must not confirm it either
        raise SignatureError("invalid_link", signature.campaign)
    form = _letter_form(request.form)
    if not form.validate():
        return _confirmed_again(token, letter_form=form)
    write_letter(token, LetterDetails(
        body=form.body.data, deliver=True, show_publicly=form.reach.data == "public",
        show_name=form.show_name.data,
        street_address=form.street_address.data if current_app.config["CWC_ENABLED"] else None,
        city=form.city.data if current_app.config["CWC_ENABLED"] else None,
        prefix=form.prefix.data if current_app.config["CWC_ENABLED"] else None))
    return redirect(url_for("public.confirmed", token=token, saved="letter", _anchor="letter"), code=303)


@bp.get("/signatures/remove/<token>")
def remove_page(token):
    signature = signatures.signature_for_token(token, "remove")
    return render_template("signatures/remove.html", signature=signature, campaign=signature.campaign)


@bp.post("/signatures/remove/<token>")
def remove(token):
    signature = signatures.remove(token)
    return render_template("signatures/removed.html", signature=signature, campaign=signature.campaign)
