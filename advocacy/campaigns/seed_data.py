"""Seed campaigns for the advocacy petition platform.

These five campaigns are loaded into a fresh database so the home page has
real causes to show. Each one speaks for working parents and caregivers,
including the many who are often left out of the conversation: nurses,
teachers, receptionists, and service workers.

Every campaign is a plain dict with these keys:

- ``slug``: short, lowercase, hyphen-joined id used in URLs.
- ``title``: short headline (under 70 characters).
- ``ask``: one sentence addressed to the U.S. Congress (under 200 characters).
- ``summary``: one or two sentences for the home page card (under 240 characters).
- ``background``: plain Markdown explaining why the campaign matters.
- ``goal``: signature goal (int).
- ``closes_at``: closing date as an ISO ``YYYY-MM-DD`` string.

The texts are written in our own words, in short sentences, so a busy parent
can read them quickly on a phone.
"""

SEED_CAMPAIGNS: list[dict] = [
    {
        "slug": "paid-family-leave",
        "title": "Paid Family and Medical Leave for Every Worker",
        "ask": (
            "Pass a national paid family and medical leave law that gives "
            "every worker paid time off on par with other wealthy nations."
        ),
        "summary": (
            "New parents and people caring for a sick loved one should not "
            "have to choose between a paycheck and their family."
        ),
        "background": (
            "When a baby arrives or someone in the family gets sick, people "
            "need time. Most other rich countries give workers paid leave for "
            "this. The United States does not. Federal law offers some "
            "workers unpaid time off, but many families cannot afford to go "
            "without pay.\n"
            "\n"
            "So parents go back to work too soon. They miss the first weeks "
            "with a newborn. They leave a sick child with whoever can help, "
            "or they lose pay to stay home. No one can plan for every fever "
            "or hospital stay. Life does not wait for a good time.\n"
            "\n"
            "The people hit hardest are often the ones we count on most. "
            "**Nurses, teachers, receptionists, and service workers** cannot "
            "do their jobs from a laptop at home. When they need time off, it "
            "comes out of their pay, or it costs them the job.\n"
            "\n"
            "Paid leave is not only for moms. Dads, same-sex couples, and "
            "grown children caring for aging parents need it too. Caring for "
            "others is work that almost all of us will do at some point.\n"
            "\n"
            "We are asking Congress to pass a national paid leave law. It "
            "should cover every worker, in every kind of job, with time off "
            "that matches what our peer nations already offer."
        ),
        "goal": 100000,
        "closes_at": "2027-06-30",
    },
    {
        "slug": "raise-minimum-wage",
        "title": "Raise the Minimum Wage So Work Pays",
        "ask": (
            "Raise the federal minimum wage so a full-time job pays enough to "
            "cover rent, food, and care for a family."
        ),
        "summary": (
            "No parent who works full time should struggle to pay for the "
            "basics. It is time for a minimum wage that keeps up with real "
            "costs."
        ),
        "background": (
            "The federal minimum wage is $7.25 an hour. It has not gone up "
            "since 2009. Since then, rent, food, and child care have all cost "
            "more year after year.\n"
            "\n"
            "Most working moms are not chasing a corner office. They want a "
            "paycheck that covers the bills. They put in a full day at work, "
            "then a second shift at home. Being a parent never stops at "
            "five o'clock.\n"
            "\n"
            "Low pay hits many of the jobs that keep our towns running:\n"
            "\n"
            "- home health aides and nursing assistants\n"
            "- child care workers and school staff\n"
            "- cashiers, cooks, and servers\n"
            "- front desk and office workers\n"
            "\n"
            "When pay is too low, parents take second jobs or extra shifts. "
            "That means less time with their kids and less sleep. It also "
            "means they cannot turn down work, even when a child needs them.\n"
            "\n"
            "A higher wage gives parents room to breathe. It helps the whole "
            "family, and it helps local shops where that money gets spent. We "
            "are asking Congress to raise the federal minimum wage and let it "
            "grow as prices rise."
        ),
        "goal": 75000,
        "closes_at": "2027-09-30",
    },
    {
        "slug": "affordable-child-care",
        "title": "Affordable Child Care, Fairly Paid Caregivers",
        "ask": (
            "Fund affordable, high-quality child care for every family, and "
            "make sure the people who provide it earn a fair living wage."
        ),
        "summary": (
            "Child care costs too much for parents, and the people who do it "
            "are paid too little. We can fix both at once."
        ),
        "background": (
            "For many families, child care is one of the biggest bills each "
            "month. It can cost as much as rent. Parents who cannot find or "
            "pay for care may cut their hours or quit. Most often, it is moms "
            "who step back.\n"
            "\n"
            "At the same time, the people who care for our kids are some of "
            "the lowest paid workers we have. They feed babies, teach "
            "toddlers to share, and keep children safe all day. Many of them "
            "are moms too. Some cannot afford care for their own kids.\n"
            "\n"
            "This makes no sense. Looking after children is real work, and it "
            "should be paid like real work. When care workers earn too "
            "little, they leave the field. Centers close or cut spots. "
            "Waiting lists grow, and parents have fewer choices.\n"
            "\n"
            "We want a system where:\n"
            "\n"
            "- every family can find care they can afford\n"
            "- care workers earn a fair wage with benefits\n"
            "- centers have the staff they need to stay open\n"
            "\n"
            "Good child care helps kids grow, helps parents work, and helps "
            "our economy. We are asking Congress to invest in child care so "
            "it works for parents and for the people who do the caring."
        ),
        "goal": 50000,
        "closes_at": "2027-10-31",
    },
    {
        "slug": "flexible-schedules",
        "title": "Fair, Flexible Schedules and Child Care at Work",
        "ask": (
            "Pass a law that gives workers predictable schedules, the right "
            "to ask for flexible hours, and help with child care at or near "
            "the job."
        ),
        "summary": (
            "Parents need to know when they work, some room to bend when a "
            "child gets sick, and safe care close to the job."
        ),
        "background": (
            "Kids get sick without warning. The school calls in the middle of "
            "a shift. A big deadline lands the same week as the school play. "
            "No parent can keep work and home in perfect balance. But better "
            "rules can make the juggling less harsh.\n"
            "\n"
            "Many hourly workers get their schedules only days ahead. Shifts "
            "change at the last minute. That makes it very hard to line up "
            "child care. Parents lose pay, or even lose their jobs, when they "
            "cannot cover a sudden shift.\n"
            "\n"
            "People often talk about flexible work as working from home. But "
            "a nurse cannot care for patients from her kitchen. A teacher "
            "cannot run a class from the couch. Receptionists and store "
            "workers need to be there in person. For them, flexible work "
            "means:\n"
            "\n"
            "- schedules posted well ahead of time\n"
            "- fair pay when shifts are changed or cut at the last minute\n"
            "- the right to ask for different hours without being punished\n"
            "- child care at or near the workplace\n"
            "\n"
            "Child care on site lets parents drop kids off on the way in and "
            "check on them at lunch. It cuts travel time and stress. It can "
            "also help employers keep good workers.\n"
            "\n"
            "We are asking Congress to set fair scheduling rules and to help "
            "employers offer child care where people work."
        ),
        "goal": 50000,
        "closes_at": "2027-11-30",
    },
    {
        "slug": "stop-caregiver-discrimination",
        "title": "Stop Discrimination Against Working Moms and Caregivers",
        "ask": (
            "Strengthen federal law to protect working mothers and all "
            "caregivers from bias in hiring, pay, and promotion, and make "
            "that bias easier to prove."
        ),
        "summary": (
            "Being a mom or a caregiver should never cost you a job, a raise, "
            "or a promotion. The law should make that protection real."
        ),
        "background": (
            "Too many working moms are passed over, paid less, or pushed out "
            "because they have kids. Some lose a job offer once a boss learns "
            "they are pregnant. Others get fewer hours after they come back "
            "from leave. Both men and women can hold this kind of bias.\n"
            "\n"
            "Dads and other caregivers face it too. A dad who leaves early for "
            "a school meeting may be praised as a great father. A mom who "
            "does the same may be seen as not serious about her job. Both "
            "deserve fair treatment. So does anyone caring for a sick partner "
            "or an aging parent.\n"
            "\n"
            "The law offers some protection today, but it is hard to use. "
            "Workers often must show clear proof that they were treated "
            "unfairly because of family. Yet most of these choices are made "
            "in private. A worker rarely sees the email or hears the talk "
            "that cost her the job. This hits hardest for those with the "
            "least power. A nurse, a teacher, a receptionist, or a cashier "
            "often cannot push back without putting her pay at risk.\n"
            "\n"
            "Every parent and caregiver should get a fair shot at work. We "
            "are asking Congress to:\n"
            "\n"
            "- clearly protect caregivers under federal law\n"
            "- make it easier for workers to bring and prove a claim\n"
            "- protect workers who speak up from being punished"
        ),
        "goal": 25000,
        "closes_at": "2027-12-15",
    },
]
