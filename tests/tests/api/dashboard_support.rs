//! The dashboards' fixture: fourteen quotes to three clinics in three countries from two
//! partners, moved through the API on an injected clock (never by sleeping) so that every
//! figure of the dashboard is known in advance, plus accreditations on the boundary days of
//! `expiringAccreditations`.
//!
//! The clock first moves to 01:00 UTC tomorrow (day D0), so the fixture's days do not depend
//! on when the test runs. On D0 quotes q1–q9 are submitted and reviewed, then offered 1 to
//! 20 hours later; q10–q12 come on D0+2 and q13–q14 on D0+4 (D0+1 and D0+3 stay empty).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use medtour_tests::{Backend, Role, TestApp, TestClient, spawn_app};
use serde_json::{Value, json};

use crate::quotes_support::{Act, ClinicInfo, Party, clinic, done, request_for, submitted};

pub const LONE_STAR: &str = "lone-star-cell-institute";
pub const RHEIN: &str = "rhein-zelltherapie-duesseldorf";
pub const BAJA: &str = "baja-regenerative-institute";

/// Every field of a dashboard.
pub const DASHBOARD: &str = "query($range: DateRange!) { dashboard(range: $range) { from to
    quotesByStatus { status count }
    funnel { submitted reviewed offered accepted offerRate acceptanceRate }
    byCountry { countryCode funnel { submitted reviewed offered accepted offerRate acceptanceRate } }
    byPartner { partner { name } funnel { submitted reviewed offered accepted offerRate acceptanceRate } }
    byClinic { clinic { slug name } funnel { submitted reviewed offered accepted offerRate acceptanceRate }
               medianResponseHours p90ResponseHours }
    offeredPrices { countryCode minCellCountMillions maxCellCountMillions offers median { amount currencyCode } }
    daily { day submitted offered accepted }
    expiringAccreditations { certificateNumber expiresOn status }
    clinicsBelowSafetyScore { slug } } }";

/// One offer of the fixture: (clinic, partner, hours after submission, million cells, price,
/// currency).
type Offer = (&'static str, char, u64, i64, &'static str, &'static str);

/// q1–q9: every one of them is offered on D0.
const OFFERS: [Offer; 9] = [
    (BAJA, 'A', 1, 25, "4000.00", "USD"),
    (BAJA, 'A', 2, 50, "5000.00", "USD"),
    (BAJA, 'A', 4, 51, "6000.01", "USD"),
    (BAJA, 'A', 8, 201, "9000.00", "USD"),
    (RHEIN, 'B', 2, 25, "3000.01", "USD"),
    (RHEIN, 'B', 5, 1, "3000.02", "USD"),
    (RHEIN, 'B', 6, 50, "2800.00", "EUR"),
    (LONE_STAR, 'A', 10, 101, "7000.00", "USD"),
    (LONE_STAR, 'B', 20, 200, "8000.00", "USD"),
];

/// The fixture's server, callers and what it did.
pub struct Fixture {
    pub app: TestApp,
    pub admin: Party,
    pub agents: [Party; 2],
    /// D0, the first day of the fixture.
    pub d0: NaiveDate,
    /// The quotes' IDs, q1 first.
    pub quotes: Vec<String>,
    /// The admin's and agents' credentials, for fresh tokens as the clock moves.
    clients: Vec<TestClient>,
}

impl Fixture {
    /// The agent of partner `which` ('A' or 'B').
    pub fn agent(&self, which: char) -> &Party {
        &self.agents[usize::from(which == 'B')]
    }

    /// Runs the dashboard over `[from, to)` as the admin, expecting no error.
    pub async fn dashboard(&self, from: NaiveDate, to: NaiveDate) -> Value {
        let range = json!({ "range": { "from": from.to_string(), "to": to.to_string() } });
        self.app.data_as(&self.admin.token, DASHBOARD, range).await["dashboard"].clone()
    }

    /// Moves the clock to `hours` after D0 01:00 (never backwards), and takes fresh tokens:
    /// the old ones may have expired on the way.
    async fn at(&mut self, hours: u64) {
        let target = self.d0.and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap()).and_utc()
            + chrono::Duration::hours(hours as i64);
        let ahead = (target - self.app.state.clock.now()).to_std().unwrap_or_default();
        self.app.state.clock.advance(ahead);
        self.admin.token = self.app.token_for(&self.clients[0]).await;
        for (agent, client) in self.agents.iter_mut().zip(&self.clients[1..]) {
            agent.token = self.app.token_for(client).await;
        }
        self.app.token = self.app.login(Role::Partner, Some("Test Partner"), None).await;
    }

    /// Whole seconds from each offered quote's creation to its OFFERED event, as the API
    /// reports them, in hours: the figures the database must interpolate between.
    pub async fn response_hours(&self, quotes: &[usize]) -> Vec<f64> {
        let mut hours = Vec::new();
        for q in quotes {
            let query = "query($id: ID!) { quote(id: $id) { createdAt events { at to } } }";
            let data = self.app.data_as(&self.admin.token, query, json!({ "id": self.quotes[q - 1] })).await;
            let quote = &data["quote"];
            let offered = quote["events"].as_array().unwrap().iter().find(|e| e["to"] == "OFFERED").unwrap();
            let seconds = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap().timestamp();
            hours.push((seconds(&offered["at"]) - seconds(&quote["createdAt"])) as f64 / 3600.0);
        }
        hours
    }
}

/// An offer input, valid for 30 days from now by the app's clock.
fn offer_input(app: &TestApp, cells: i64, price: &str, currency: &str) -> Value {
    let until = app.state.clock.now() + chrono::Duration::days(30);
    json!({
        "price": price, "currencyCode": currency, "cellCountMillions": cells, "sessions": 1, "stayDays": 3,
        "inclusions": ["hotel"], "validUntil": until.to_rfc3339(),
    })
}

/// Builds the fixture on `backend`.
pub async fn fixture(backend: Backend) -> Fixture {
    let app = spawn_app(backend).await;
    let clients = vec![
        app.create_client(Role::Admin, None, None).await,
        app.create_client(Role::Agent, Some("Partner A"), None).await,
        app.create_client(Role::Agent, Some("Partner B"), None).await,
    ];
    let party = |c: &TestClient| Party { token: String::new(), client_id: c.id.clone() };
    let admin = party(&clients[0]);
    let agents = [party(&clients[1]), party(&clients[2])];
    let clinics: Vec<(&str, ClinicInfo)> = vec![
        (BAJA, clinic(&app, BAJA).await),
        (RHEIN, clinic(&app, RHEIN).await),
        (LONE_STAR, clinic(&app, LONE_STAR).await),
    ];
    let info = |slug: &str| clinics.iter().find(|(s, _)| *s == slug).unwrap().1.clone();
    // A request for a cell count the clinic offers.
    let ask = |slug: &str, key: &str| {
        let c = info(slug);
        request_for(&c.id, key, c.packages[0].1)
    };
    let d0 = app.state.clock.now().date_naive() + Days::new(1);
    let mut f = Fixture { app, admin, agents, d0, quotes: Vec::new(), clients };
    f.at(0).await;

    for (i, (slug, partner, ..)) in OFFERS.iter().enumerate() {
        let id = submitted(&f.app, f.agent(*partner), ask(slug, &format!("dash-{i}"))).await;
        done(&f.app, &f.admin, &id, Act::Review).await;
        f.quotes.push(id);
    }
    let mut order: Vec<usize> = (0..OFFERS.len()).collect();
    order.sort_by_key(|i| OFFERS[*i].2);
    for i in order {
        let (_, _, hours, cells, price, currency) = OFFERS[i];
        f.at(hours).await;
        let input = offer_input(&f.app, cells, price, currency);
        done(&f.app, &f.admin, &f.quotes[i], Act::Offer(input)).await;
    }
    f.at(21).await;
    for (q, partner, act) in [
        (1, 'A', Act::Accept),
        (2, 'A', Act::Decline(None)),
        (4, 'A', Act::Withdraw),
        (5, 'B', Act::Accept),
        (7, 'B', Act::Decline(Some("too far"))),
        (8, 'A', Act::Accept),
    ] {
        done(&f.app, f.agent(partner), &f.quotes[q - 1], act).await;
    }

    f.at(48).await;
    for (slug, partner, key) in [(BAJA, 'A', "dash-10"), (RHEIN, 'B', "dash-11"), (LONE_STAR, 'B', "dash-12")] {
        let id = submitted(&f.app, f.agent(partner), ask(slug, key)).await;
        f.quotes.push(id);
    }
    done(&f.app, &f.admin, &f.quotes[10], Act::Reject("not a candidate")).await;
    done(&f.app, f.agent('B'), &f.quotes[11], Act::Withdraw).await;

    f.at(96).await;
    for (slug, key) in [(BAJA, "dash-13"), (LONE_STAR, "dash-14")] {
        let id = submitted(&f.app, f.agent('A'), ask(slug, key)).await;
        f.quotes.push(id);
    }
    done(&f.app, &f.admin, &f.quotes[12], Act::Review).await;
    accreditations(&f, &info(BAJA).id).await;
    f
}

/// Accreditations of Baja around today (D0+4): (certificate number, days from today,
/// verified).
pub const ACCREDITATIONS: [(&str, i64, bool); 5] = [
    ("DASH-TODAY", 0, true),
    ("DASH-LAST", 60, true),
    ("DASH-AFTER", 61, true),
    ("DASH-YESTERDAY", -1, true),
    ("DASH-UNVERIFIED", 10, false),
];

async fn accreditations(f: &Fixture, clinic_id: &str) {
    let today = f.app.state.clock.now().date_naive();
    for (number, days, verify) in ACCREDITATIONS {
        let expires = if days < 0 { today - Days::new(1) } else { today + Days::new(days as u64) };
        let input = json!({ "body": "ISO_9001", "bodyName": "ISO", "certificateNumber": number,
                            "expiresOn": expires.to_string() });
        let create = "mutation($c: ID!, $i: AccreditationInput!) { r: createAccreditation(clinicId: $c, input: $i) {
            userErrors { message } accreditation { id version } } }";
        let data = f.app.data_as(&f.admin.token, create, json!({ "c": clinic_id, "i": input })).await;
        assert_eq!(data["r"]["userErrors"], json!([]), "{data:#}");
        if verify {
            let verify =
                "mutation($id: ID!, $v: Int!) { r: verifyAccreditation(id: $id, version: $v, decision: VERIFY) {
                userErrors { message } } }";
            let a = &data["r"]["accreditation"];
            let data = f.app.data_as(&f.admin.token, verify, json!({ "id": a["id"], "v": a["version"] })).await;
            assert_eq!(data["r"]["userErrors"], json!([]), "{data:#}");
        }
    }
}

/// A day `n` days after `d`.
pub fn plus(d: NaiveDate, n: u64) -> NaiveDate {
    d + Days::new(n)
}

/// A year and a day, for moving past `responseTime`'s window.
pub const A_YEAR_AND_A_DAY: StdDuration = StdDuration::from_secs(366 * 86_400);
