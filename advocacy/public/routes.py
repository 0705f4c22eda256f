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

from ..campaigns.service import cached_public_campaign, public_campaign_or_404, render_markdown
from ..delivery.tallies import public_tallies, state_entries
from ..donations.service import donation_offer, donations_enabled
from ..extensions import csrf, limiter
from ..geography.service import lawmakers_for
from ..signatures import service as signatures
from ..signatures.counting import signature_count
from ..signatures.forms import SignForm
from ..signatures.identity import canonical_email
from ..signatures.service import SignatureError, SignerDetails
from ..updates.service import published_updates
from . import bp
from .service import campaign_summary, open_campaigns, page_cache, progress_percent

PROBLEM_STATUS = {"invalid_link": 404, "expired_link": 410, "closed": 410}

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


@bp.get("/")
def home():
    return render_template("campaigns/home.html", campaigns=open_campaigns(), progress=progress_percent)


def render_campaign(campaign, form=None, status=200):
    count = signature_count(campaign.id)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        background_html=render_markdown(campaign.background),
        count=count,
        percent=progress_percent(count, campaign.goal),
        form=form or SignForm(),
        comments=signatures.recent_public_comments(campaign),
        updates=published_updates(campaign),
        state_rows=state_entries(campaign),
        donations_on=donations_enabled(),
    ), status


def _with_etag(text: str) -> tuple[bytes, str]:
    """What the page cache keeps: the encoded body and its ETag, computed once per render."""
    body = text.encode()
    return body, hashlib.blake2b(body, digest_size=12).hexdigest()


def _cached_response(entry: tuple[bytes, str], mimetype: str):
    """The cached bytes as they are (no template, no database), or 304 Not Modified when the
    visitor's (or CDN's) copy has the same ETag."""
    body, etag = entry
    response = current_app.response_class(body, mimetype=mimetype)
    response.set_etag(etag)
    return _cacheable(response.make_conditional(request))


@bp.get("/campaigns/<slug:slug>")
def show(slug):
    if not _shared_cache_allowed():
        return _cacheable(make_response(render_campaign(public_campaign_or_404(slug))))
    entry = page_cache.get_or_render(("page", slug, str(get_locale())),
                                     lambda: _with_etag(render_campaign(public_campaign_or_404(slug))[0]))
    return _cached_response(entry, "text/html")


@bp.get("/campaigns/<slug:slug>.json")
def show_json(slug):
    def render():
        campaign = public_campaign_or_404(slug)
        return _with_etag(current_app.json.dumps(campaign_summary(campaign) | public_tallies(campaign)))

    response = _cached_response(page_cache.get_or_render(("json", slug), render), "application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _email_key():
    return "sign-email:" + canonical_email(request.form.get("email", ""))


@bp.post("/campaigns/<slug:slug>/sign")
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_IP"])
@limiter.limit(lambda: current_app.config["SIGN_RATE_LIMIT_PER_EMAIL"], key_func=_email_key)
def sign_campaign(slug):
    campaign = cached_public_campaign(slug)  # a copy up to CAMPAIGN_CACHE_SECONDS old; sign() checks it is open
    if not campaign.accepts_signatures():
        campaign = public_campaign_or_404(slug)
        if not campaign.accepts_signatures():
            raise SignatureError("closed", campaign)
    form = SignForm()
    if not form.validate_on_submit():
        return render_campaign(public_campaign_or_404(slug), form=form, status=422)
    signatures.sign(campaign, SignerDetails(
        full_name=form.full_name.data, email=form.email.data, postal_code=form.postal_code.data,
        comment=form.comment.data, show_name=form.show_name.data, keep_updated=form.keep_updated.data,
        share_email=form.share_email.data, locale=str(get_locale() or "en"), ip=request.remote_addr,
    ))
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
def confirm(token):
    confirmation = signatures.confirm(token)
    signature = confirmation.signature
    campaign = signature.campaign
    return render_template("signatures/confirmed.html", signature=signature, campaign=campaign,
                           remove_url=confirmation.remove_url,
                           lawmakers=lawmakers_for(signature, confirmation.districts, campaign.target_chamber,
                                                   campaign.targeted_states()),
                           offer=donation_offer(campaign, signature))


@bp.get("/signatures/remove/<token>")
def remove_page(token):
    signature = signatures.signature_for_token(token, "remove")
    return render_template("signatures/remove.html", signature=signature, campaign=signature.campaign)


@bp.post("/signatures/remove/<token>")
def remove(token):
    signature = signatures.remove(token)
    return render_template("signatures/removed.html", signature=signature, campaign=signature.campaign)
