//! The dashboards' rows answered eagerly are exactly what the derived resolvers answer, for
//! every field, without waiting (a clinic: its own fields; its evidence waits for the
//! catalogue's loader, and the end-to-end dashboard tests read rows through the server).

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use chrono::{NaiveDate, TimeZone, Utc};
use entity::clinics;

use super::clinics::ClinicStats;
use super::figures::Day;
use super::prices::PriceBand;
use super::sql::Funnel;
use super::types::{ClinicQuoteStats, CountryQuoteStats, DailyQuoteCount, OfferedPriceBand, QuoteFunnel, StatusCount};
use crate::catalogue::clinic::Clinic;
use crate::graphql::eager::Eager;
use crate::graphql::eager_testing::{Strict, every_field, every_field_but, run, text};
use crate::quotes::vocab::QuoteStatus;

fn funnel() -> Funnel {
    Funnel { submitted: 7, reviewed: 5, offered: 3, accepted: 1 }
}

fn clinic() -> clinics::Model {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).single().expect("a valid instant");
    clinics::Model {
        id: 12,
        slug: "baja-regenerative-institute".into(),
        name: "Baja Regenerative Institute".into(),
        country_code: "MX".into(),
        city: "Tijuana".into(),
        description: "MSC infusions".into(),
        search_text: String::new(),
        city_folded: "tijuana".into(),
        website: None,
        languages: serde_json::json!(["en", "es"]),
        status: "PUBLISHED".into(),
        version: 4,
        safety_score: 5,
        safety_score_valid_until: None,
        lowest_price_usd_minor: None,
        created_at: at,
        updated_at: at,
    }
}

fn status() -> StatusCount {
    (QuoteStatus::Offered, 3).into()
}
fn quote_funnel() -> QuoteFunnel {
    funnel().into()
}
fn country() -> CountryQuoteStats {
    CountryQuoteStats { country_code: "MX".into(), funnel: Funnel::default().into() }
}
fn per_clinic() -> ClinicQuoteStats {
    ClinicStats { clinic: clinic().into(), funnel: funnel(), median_hours: Some(26.5), p90_hours: None }.into()
}
fn band() -> OfferedPriceBand {
    PriceBand { country_code: "CO".into(), min_cells: 201, max_cells: None, offers: 4, median_cents: 1_234_550 }.into()
}
fn day() -> DailyQuoteCount {
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).expect("a valid date");
    Day { day, submitted: 2, offered: 1, accepted: 0 }.into()
}
fn own_clinic() -> Clinic {
    clinic().into()
}

/// Each type three ways: derived, eager, and eager-only.
macro_rules! roots {
    ($($derived:ident, $eager:ident, $strict:ident: $ty:ty = $make:ident;)+) => {
        struct Query;

        #[Object]
        impl Query {
            $(
                async fn $derived(&self) -> $ty {
                    $make()
                }
                async fn $eager(&self) -> Eager<$ty> {
                    Eager($make())
                }
                async fn $strict(&self) -> Strict<$ty> {
                    Strict($make())
                }
            )+
        }
    };
}

roots! {
    status, eager_status, strict_status: StatusCount = status;
    funnel, eager_funnel, strict_funnel: QuoteFunnel = quote_funnel;
    country, eager_country, strict_country: CountryQuoteStats = country;
    per_clinic, eager_per_clinic, strict_per_clinic: ClinicQuoteStats = per_clinic;
    band, eager_band, strict_band: OfferedPriceBand = band;
    day, eager_day, strict_day: DailyQuoteCount = day;
    clinic, eager_clinic, strict_clinic: Clinic = own_clinic;
}

#[tokio::test]
async fn every_field_of_every_dashboard_row_is_answered_eagerly_and_as_derived() {
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    for (root, type_name) in [
        ("status", "StatusCount"),
        ("funnel", "QuoteFunnel"),
        ("country", "CountryQuoteStats"),
        ("perClinic", "ClinicQuoteStats"),
        ("band", "OfferedPriceBand"),
        ("day", "DailyQuoteCount"),
        ("clinic", "Clinic"),
    ] {
        let selection = every_field_but(&schema, type_name, &["Clinic"]).await;
        assert!(selection.split_whitespace().count() > 3, "{type_name}: {selection}");
        let query = format!(
            "{{ derived: {root} {selection} eager: eager{0}{1} {selection} strict: strict{0}{1} {selection} }}",
            &root[..1].to_uppercase(),
            &root[1..]
        );
        let answer = run(&schema, &query).await;
        let derived = text(&answer, "derived");
        assert_eq!(text(&answer, "eager"), derived, "{type_name}: same values, keys in the selection's order");
        assert_eq!(text(&answer, "strict"), derived, "{type_name}: answered without waiting");
    }
    // A clinic's nested evidence is not its own: the eager path leaves it to the loader.
    let nested = every_field(&schema, "Clinic").await;
    let refused = schema.execute(format!("{{ strictClinic {nested} }}")).await;
    assert!(!refused.errors.is_empty(), "a clinic's doctors wait for the loader");
}
