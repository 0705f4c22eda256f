from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.access import managed_campaign_or_404, require_admin, require_login
from ..accounts.forms import InviteForm
from ..accounts.service import all_users, invite, managed_campaigns
from ..audit.service import recent_events
from ..campaigns.service import (
    STATE_LABELS,
    LifecycleError,
    allowed_transitions,
    change_state,
    render_markdown,
    translation_fields,
)
from ..charts import chart_bars
from ..delivery.forms import PacketForm
from ..delivery.packets import office_opened_at, recent_packets
from ..delivery.progress import ready_members
from ..delivery.tallies import lawmaker_tallies
from ..donations.service import campaign_totals, donations_enabled
from ..forms import choice
from ..growth.panel import dashboard_panel as growth_panel
from ..mail.service import mail_health
from ..moderation.service import comments_awaiting, letters_waiting
from ..signatures.counting import signature_counts
from ..signatures.districts import answer_counts
from . import bp
from .forms import CampaignForm, DeliveryForm
from .service import (
    EDITABLE_FIELDS,
    AuthoringError,
    create_campaign,
    dashboard_summary,
    has_signatures,
    signatures_per_day,
    top_states,
    update_campaign,
)

bp.before_request(require_login)


@bp.app_template_global()
def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def dashboard_panels(campaign) -> list[tuple[str, dict]]:
    """The dashboard's sections, top to bottom: each a template and the data it shows."""
    lawmakers = lawmaker_tallies(campaign)
    packets = recent_packets(campaign)
    latest_comments, waiting = comments_awaiting(campaign)
    return [
        ("organise/_chart_panel.html", chart_bars(signatures_per_day(campaign))),
        ("organise/_states_panel.html", {"states": top_states(campaign)}),
        ("growth/_dashboard.html", growth_panel(campaign)),
        ("moderation/_panel.html", {"latest": latest_comments, "total": waiting,
                                    "letters_waiting": letters_waiting(campaign)}),
        ("signatures/_district_answers_panel.html", answer_counts(campaign)),
        ("delivery/_panel.html", {"lawmakers": lawmakers, "form": PacketForm().set_lawmakers(lawmakers, campaign),
                                  "packets": packets, "opened": office_opened_at([p.id for p in packets]),
                                  "ready": ready_members(campaign)}),
        ("donations/_dashboard.html", {"enabled": donations_enabled(), **campaign_totals(campaign.id)}),
        ("mail/_dashboard.html", mail_health(campaign.id)),
    ]


@bp.get("/")
def index():
    campaigns = managed_campaigns(current_user)
    counts = signature_counts(c.id for c in campaigns)
    return render_template("organise/index.html", campaigns=campaigns, counts=counts)


@bp.get("/campaigns/<slug:slug>")
def dashboard(slug):
    campaign = managed_campaign_or_404(slug)
    return render_template("organise/dashboard.html", campaign=campaign, summary=dashboard_summary(campaign),
                           transitions=allowed_transitions(campaign), delivery_form=DeliveryForm(),
                           panels=dashboard_panels(campaign))


def _fields(form: CampaignForm) -> dict:
    fields = {name: getattr(form, name).data for name in EDITABLE_FIELDS}
    return fields | {"summary": form.summary.data or "", "background": form.background.data or "",
                     "call_script": form.call_script.data or "", "letter_prompts": form.letter_prompts.data or ""}


def _authoring_page(form, campaign=None):
    """Save, or show the form again (with a preview when "Preview" was pressed)."""
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = {"title": form.title.data, "ask": form.ask.data,
                       "background_html": render_markdown(form.background.data or ""),
                       "es": {"title": form.title_es.data, "ask": form.ask_es.data,
                              "background_html": render_markdown(form.background_es.data or "")}
                       if (form.title_es.data or "").strip() else None}
        else:
            try:
                if campaign is None:
                    campaign = create_campaign(_fields(form), current_user, form.translations())
                    flash(_("Campaign created as a draft. Open it when it is ready."))
                else:
                    update_campaign(campaign, _fields(form), current_user, form.translations())
                    flash(_("Changes saved."))
                return redirect(url_for("organise.dashboard", slug=campaign.slug))
            except AuthoringError as error:
                getattr(form, error.field).errors.append(error.message)
    status = 422 if form.errors else 200
    return render_template("organise/campaign_form.html", form=form, campaign=campaign, preview=preview,
                           slug_locked=campaign is not None and has_signatures(campaign)), status


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new_campaign():
    return _authoring_page(CampaignForm())


@bp.route("/campaigns/<slug:slug>/edit", methods=["GET", "POST"])
def edit_campaign(slug):
    campaign = managed_campaign_or_404(slug)
    return _authoring_page(CampaignForm(obj=campaign, **translation_fields(campaign)), campaign)


@bp.post("/campaigns/<slug:slug>/state")
def change_campaign_state(slug):
    campaign = managed_campaign_or_404(slug)
    target = request.form.get("to", "")
    form = DeliveryForm() if target == "delivered" else None
    if form is not None and not form.validate_on_submit():
        flash(_("Say to whom the signatures were delivered."))
        return redirect(url_for("organise.dashboard", slug=slug))
    try:
        change_state(campaign, target, current_user,
                     delivered_to=form.delivered_to.data if form else None,
                     delivered_at=form.delivered_at.data if form else None)
    except LifecycleError as error:
        flash(str(error))
        return redirect(url_for("organise.dashboard", slug=slug))
    flash(_("The campaign is now %(state)s.", state=state_label(campaign.state)))
    return redirect(url_for("organise.dashboard", slug=slug))


@bp.route("/users", methods=["GET", "POST"])
def users():
    require_admin()
    form = InviteForm()
    form.campaigns.choices = [choice(c.id, c.title) for c in managed_campaigns(current_user)]
    if form.validate_on_submit():
        chosen = [c for c in managed_campaigns(current_user) if c.id in set(form.campaigns.data or [])]
        user = invite(form.email.data, chosen, current_user, role=form.role.data)
        flash(_("Invitation sent to %(email)s.", email=user.email) if user.password_hash is None
              else _("%(email)s already has an account; their campaigns were updated.", email=user.email))
        return redirect(url_for("organise.users"))
    return render_template("organise/users.html", form=form, users=all_users()), 422 if form.errors else 200


@bp.get("/audit")
def audit_log():
    require_admin()
    return render_template("organise/audit.html", events=recent_events(limit=500))
