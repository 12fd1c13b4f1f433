//! A large synthetic history, written by the database itself: every row comes from an
//! `INSERT … SELECT` over a generated series (PostgreSQL's `generate_series`, SQLite's
//! recursive CTE), in slices inside one transaction, so a million quotes and their events
//! take a minute or two rather than an hour of round trips.
//!
//! Pseudo-random choices are multiplicative hashes of the row number, so every run builds the
//! same history. Quotes are spread evenly over the two years before now: about 70 % reach an
//! offer (of which about 5 % in EUR, left out of the price medians), and each has the events
//! of every transition it went through, with `reviewed_at`, `offered_at` and
//! `response_seconds` as the transition path writes them. The legacy patient columns stay
//! NULL, as on every sealed quote, so a kept database is not sealed again on start.

use std::time::Instant;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// How much history to generate.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub quotes: i64,
    pub clinics: i64,
    pub partners: i64,
    pub days: i64,
}

/// What was generated, for the report.
#[derive(Debug, Default)]
pub struct Generated {
    pub quotes: i64,
    pub events: i64,
    pub offers: i64,
    pub seconds: f64,
}

/// SQL dialect pieces.
struct Dialect(DbBackend);

impl Dialect {
    /// `SELECT i FROM series(lo..=hi)`.
    fn series(&self, lo: i64, hi: i64) -> String {
        match self.0 {
            DbBackend::Postgres => format!("SELECT i FROM generate_series({lo}::bigint, {hi}::bigint) AS i"),
            _ => format!(
                "SELECT i FROM (WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s WHERE i < {hi}) \
                 SELECT i FROM s)"
            ),
        }
    }
    /// The instant `epoch` seconds after 1970, stored as the API stores it.
    fn instant(&self, epoch: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("to_timestamp({epoch})"),
            _ => format!("(strftime('%Y-%m-%dT%H:%M:%S', {epoch}, 'unixepoch') || '+00:00')"),
        }
    }
    /// The instant `t` plus `seconds`.
    fn plus(&self, t: &str, seconds: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("({t} + ({seconds}) * interval '1 second')"),
            _ => format!("(strftime('%Y-%m-%dT%H:%M:%S', {t}, '+' || ({seconds}) || ' seconds') || '+00:00')"),
        }
    }
    /// Today plus `days`, as a date.
    fn day(&self, days: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("(CURRENT_DATE + CAST({days} AS INTEGER))"),
            _ => format!("date('now', ({days}) || ' days')"),
        }
    }
    fn json(&self, text: &str) -> String {
        match self.0 {
            DbBackend::Postgres => format!("CAST('{text}' AS JSONB)"),
            _ => format!("'{text}'"),
        }
    }
}

/// A hash of `i` in `0..n`, different for each `salt`.
fn hash(i: &str, salt: i64, n: i64) -> String {
    format!("((({i}) * 2654435761 + {salt}) % 2147483647 % {n})")
}

async fn scalar(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<i64> {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

async fn run(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<()> {
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// Writes `scale`'s clinics, partners, agents, accreditations, quotes, offers and events
/// beside the demo data `db` holds.
pub async fn history(db: &DatabaseConnection, scale: Scale) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let d = Dialect(db.get_database_backend());
    let txn = db.begin().await?;
    let max = |table: &str| format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM {table}");
    let (c0, p0, a0, q0) = (
        scalar(&txn, &max("clinics")).await?,
        scalar(&txn, &max("partners")).await?,
        scalar(&txn, &max("api_clients")).await?,
        scalar(&txn, &max("quotes")).await?,
    );
    let (e0, o0, k0) = (
        scalar(&txn, &max("quote_events")).await?,
        scalar(&txn, &max("quote_offers")).await?,
        scalar(&txn, &max("accreditations")).await?,
    );
    let treatment = scalar(&txn, "SELECT CAST(MIN(id) AS BIGINT) AS n FROM treatments").await?;
    let now = Utc::now().timestamp();
    let start = now - scale.days * 86_400;
    let created = d.instant(&format!("{now}"));

    let country = format!("substr('MXCOTHDEUSPACRTRINES', CAST({} * 2 + 1 AS INTEGER), 2)", hash("i", 7, 10));
    run(
        &txn,
        &format!(
            "INSERT INTO clinics (id, slug, name, country_code, city, description, search_text, city_folded, website,
               languages, status, version, safety_score, safety_score_valid_until, lowest_price_usd_minor,
               created_at, updated_at)
             SELECT {c0} + i, 'bench-clinic-' || i, 'Bench Clinic ' || i, {country}, 'City ' || (i % 50),
               'Outpatient regenerative medicine clinic.', 'bench clinic ' || i, 'city ' || (i % 50), NULL,
               {languages}, CASE WHEN i % 33 = 0 THEN 'DRAFT' ELSE 'PUBLISHED' END, 1, {score}, NULL, NULL,
               {created}, {created}
             FROM ({series}) s",
            languages = d.json("[\"en\"]"),
            score = hash("i", 3, 7),
            series = d.series(1, scale.clinics),
        ),
    )
    .await?;
    run(
        &txn,
        &format!(
            "INSERT INTO accreditations (id, clinic_id, body, body_name, certificate_number, issued_on, expires_on,
               status, version, verified_at, verified_by)
             SELECT {k0} + i, {c0} + 1 + (i % {clinics}), 'JCI', 'Joint Commission International', 'BENCH-' || i,
               NULL, {expires}, CASE WHEN {pick} < 80 THEN 'VERIFIED' ELSE 'UNVERIFIED' END, 1, NULL, NULL
             FROM ({series}) s",
            clinics = scale.clinics,
            expires = d.day(&format!("{} - 100", hash("i", 11, 1000))),
            pick = hash("i", 13, 100),
            series = d.series(1, scale.clinics * 2),
        ),
    )
    .await?;
    run(
        &txn,
        &format!(
            "INSERT INTO partners (id, name, created_at, status)
             SELECT {p0} + i, 'Bench Partner ' || i, {created}, 'ACTIVE' FROM ({series}) s",
            series = d.series(1, scale.partners)
        ),
    )
    .await?;
    run(
        &txn,
        &format!(
            "INSERT INTO api_clients (id, client_id, secret_hash, role, partner_id, clinic_id, label, created_at)
             SELECT {a0} + i, 'bench-agent-' || i, 'x', 'AGENT', {p0} + i, NULL, 'bench', {created}
             FROM ({series}) s",
            series = d.series(1, scale.partners)
        ),
    )
    .await?;

    // Quotes in slices: what each quote went through is a function of its number.
    let slice = 100_000;
    let mut lo = 1;
    while lo <= scale.quotes {
        let hi = (lo + slice - 1).min(scale.quotes);
        let fate = hash("i", 17, 100);
        let t = d.instant(&format!("{start} + (i - 1) * {} / {}", scale.days * 86_400, scale.quotes));
        let reviewed = d.plus("t", &format!("3600 * (1 + {})", hash("i", 19, 48)));
        let response = format!("3600 * (1 + {}) + 60 * {}", hash("i", 19, 48), hash("i", 23, 7200));
        let offered = d.plus("t", &response);
        run(
            &txn,
            &format!(
                "INSERT INTO quotes (id, partner_id, submitted_by, clinic_id, treatment_id, package_id, idempotency_key,
                   request_fingerprint, status, version, requested_cell_count_millions, travel_earliest, travel_latest,
                   patient_reference, patient_age_years, patient_country, chronic_migraine_diagnosis,
                   headache_days_per_month, treatments_tried, contraindications, medical_notes_ciphertext,
                   medical_notes_key_id, eligibility_outcome, eligibility_reasons, created_at, updated_at,
                   reviewed_at, offered_at, response_seconds)
                 SELECT {q0} + i, {p0} + 1 + {partner}, {a0} + 1 + {partner}, {c0} + 1 + {clinic}, {treatment}, NULL,
                   'bench-' || i, 'f',
                   CASE WHEN f < 10 THEN 'SUBMITTED' WHEN f < 15 THEN 'REJECTED' WHEN f < 22 THEN 'IN_REVIEW'
                        WHEN f < 27 THEN 'REJECTED' WHEN f < 30 THEN 'WITHDRAWN' WHEN f < 55 THEN 'ACCEPTED'
                        WHEN f < 70 THEN 'DECLINED' WHEN f < 80 THEN 'EXPIRED' WHEN f < 90 THEN 'OFFERED'
                        ELSE 'WITHDRAWN' END,
                   1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   'LIKELY_CANDIDATE', {empty}, t, t,
                   CASE WHEN f >= 15 AND f <> 27 AND f <> 28 AND f <> 29 THEN {reviewed} END,
                   CASE WHEN f >= 30 THEN {offered} END,
                   CASE WHEN f >= 30 THEN {response} END
                 FROM (SELECT i, {fate} AS f, {t} AS t FROM ({series}) s) x",
                partner = hash("i", 29, scale.partners),
                clinic = hash("i", 31, scale.clinics),
                empty = d.json("[]"),
                series = d.series(lo, hi),
            ),
        )
        .await?;
        lo = hi + 1;
    }
    let bench = format!("q.id > {q0}");
    let event = |id: &str, at: &str, from: &str, to: &str, filter: &str| {
        format!(
            "INSERT INTO quote_events (id, quote_id, at, from_status, to_status, actor_client_id, actor_role, note)
             SELECT {e0} + {id}, q.id, {at}, {from}, {to}, 'bench', 'CLINIC', NULL FROM quotes q
             WHERE {bench}{filter}"
        )
    };
    let n = scale.quotes;
    let closed = "CASE WHEN q.offered_at IS NOT NULL THEN 'OFFERED' WHEN q.reviewed_at IS NOT NULL THEN 'IN_REVIEW' \
                  ELSE 'SUBMITTED' END";
    let last = d.plus("COALESCE(q.offered_at, q.reviewed_at, q.created_at)", "3600");
    for sql in [
        event(&format!("q.id - {q0}"), "q.created_at", "NULL", "'SUBMITTED'", ""),
        event(
            &format!("{n} + q.id - {q0}"),
            "q.reviewed_at",
            "'SUBMITTED'",
            "'IN_REVIEW'",
            " AND q.reviewed_at IS NOT NULL",
        ),
        event(
            &format!("{} + q.id - {q0}", 2 * n),
            "q.offered_at",
            "'IN_REVIEW'",
            "'OFFERED'",
            " AND q.offered_at IS NOT NULL",
        ),
        event(
            &format!("{} + q.id - {q0}", 3 * n),
            &last,
            closed,
            "q.status",
            " AND q.status IN ('ACCEPTED', 'DECLINED', 'REJECTED', 'WITHDRAWN', 'EXPIRED')",
        ),
    ] {
        run(&txn, &sql).await?;
    }
    let cells = format!(
        "CASE {} WHEN 0 THEN 25 WHEN 1 THEN 50 WHEN 2 THEN 100 WHEN 3 THEN 150 WHEN 4 THEN 200 \
                         WHEN 5 THEN 250 ELSE 300 END",
        hash("q.id", 37, 7)
    );
    run(
        &txn,
        &format!(
            "INSERT INTO quote_offers (id, quote_id, price_minor, currency_code, cell_count_millions, sessions, stay_days,
               inclusions, valid_until, notes, created_by, created_at, quote_created_at, clinic_id)
             SELECT {o0} + q.id - {q0}, q.id, 100 * (3000 + {price}), CASE WHEN {eur} = 0 THEN 'EUR' ELSE 'USD' END,
               {cells}, 1, 3, {empty}, {until}, NULL, {a0} + 1, q.offered_at, q.created_at, q.clinic_id
             FROM quotes q WHERE {bench} AND q.offered_at IS NOT NULL",
            price = hash("q.id", 41, 12_000),
            eur = hash("q.id", 43, 20),
            empty = d.json("[]"),
            until = d.plus("q.offered_at", "14 * 86400"),
        ),
    )
    .await?;
    if d.0 == DbBackend::Postgres {
        // Explicit ids leave the serial sequences behind; move them past the new rows.
        for table in ["clinics", "accreditations", "partners", "api_clients", "quotes", "quote_events", "quote_offers"]
        {
            run(
                &txn,
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
            )
            .await?;
        }
    }
    txn.commit().await?;
    let count = |table: &str| format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}");
    Ok(Generated {
        quotes: scalar(db, &count("quotes")).await?,
        events: scalar(db, &count("quote_events")).await?,
        offers: scalar(db, &count("quote_offers")).await?,
        seconds: started.elapsed().as_secs_f64(),
    })
}
