//! The dashboard's figures, every one computed by hand from the fixture (see
//! `dashboard_support`): the funnel and its rates, the per-group rows and their order,
//! continuous percentiles with an even and an odd number of samples, the price bands
//! (the open one included, offers in other currencies left out), daily rows with gaps, the
//! evidence lists on their boundary days, and empty ranges.

use medtour::percentile::reference;
use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::dashboard_support::{BAJA, LONE_STAR, RHEIN, fixture, plus};

fn funnel(submitted: i64, reviewed: i64, offered: i64, accepted: i64) -> Value {
    let rate = |a: i64, b: i64| if b == 0 { Value::Null } else { json!(a as f64 / b as f64) };
    json!({ "submitted": submitted, "reviewed": reviewed, "offered": offered, "accepted": accepted,
            "offerRate": rate(offered, submitted), "acceptanceRate": rate(accepted, offered) })
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("{what}: a number, not {actual}"));
    assert!((actual - expected).abs() < 0.001, "{what}: {actual} is not about {expected}");
}

on_both_backends! {
    /// Every figure of a five-day dashboard, as the fixture made them.
    async fn every_figure_of_the_dashboard_is_what_the_fixture_made(backend: Backend) {
        let f = &fixture(backend).await;
        let d = f.dashboard(f.d0, plus(f.d0, 5)).await;
        assert_eq!((d["from"].clone(), d["to"].clone()), (json!(f.d0.to_string()), json!(plus(f.d0, 5).to_string())));

        let statuses: Vec<(String, i64)> = d["quotesByStatus"].as_array().unwrap().iter()
            .map(|s| (s["status"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap())).collect();
        let expected = [("SUBMITTED", 2), ("IN_REVIEW", 1), ("OFFERED", 3), ("ACCEPTED", 3), ("DECLINED", 2),
                        ("REJECTED", 1), ("WITHDRAWN", 2), ("EXPIRED", 0)];
        assert_eq!(statuses, expected.map(|(s, n)| (s.to_owned(), n)).to_vec(), "every status, zeros included");

        assert_eq!(d["funnel"], funnel(14, 10, 9, 3));
        assert_eq!(d["byCountry"], json!([
            { "countryCode": "DE", "funnel": funnel(4, 3, 3, 1) },
            { "countryCode": "MX", "funnel": funnel(6, 5, 4, 1) },
            { "countryCode": "US", "funnel": funnel(4, 2, 2, 1) },
        ]));
        assert_eq!(d["byPartner"], json!([
            { "partner": { "name": "Partner A" }, "funnel": funnel(8, 6, 5, 2) },
            { "partner": { "name": "Partner B" }, "funnel": funnel(6, 4, 4, 1) },
        ]), "by partner name; partners without quotes in the range are absent");

        // Most submitted first; Lone Star and Rhein tie on four and go by name.
        let clinics = d["byClinic"].as_array().unwrap();
        let slugs: Vec<&str> = clinics.iter().map(|c| c["clinic"]["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, [BAJA, LONE_STAR, RHEIN]);
        let funnels: Vec<Value> = clinics.iter().map(|c| c["funnel"].clone()).collect();
        assert_eq!(funnels, [funnel(6, 5, 4, 1), funnel(4, 2, 2, 1), funnel(4, 3, 3, 1)]);
        // Offered 1, 2, 4, 8 hours after submission (even count): median 3, p90 4 + 0.7 × 4.
        // Rhein 2, 5, 6 (odd): median 5, p90 5 + 0.8 × 1. Lone Star 10, 20: 15 and 19.
        for (row, quotes, median, p90) in [
            (&clinics[0], &[1, 2, 3, 4][..], 3.0, 6.8),
            (&clinics[1], &[8, 9][..], 15.0, 19.0),
            (&clinics[2], &[5, 6, 7][..], 5.0, 5.8),
        ] {
            let what = row["clinic"]["slug"].as_str().unwrap();
            close(&row["medianResponseHours"], median, what);
            close(&row["p90ResponseHours"], p90, what);
            // To the bit: the database interpolates as the reference does, on both backends.
            let hours = f.response_hours(quotes).await;
            assert_eq!(row["medianResponseHours"].as_f64(), reference(&hours, 0.5), "{what}: {hours:?}");
            assert_eq!(row["p90ResponseHours"].as_f64(), reference(&hours, 0.9), "{what}: {hours:?}");
        }

        // By country, then band. DE: 3000.01 and 3000.02 (1 and 25 million cells) give
        // 3000.015, rounded to 3000.02; its EUR offer is left out. MX: 50 million is the top of
        // the first band, 51 the bottom of the second, 201 opens the last.
        let band = |country: &str, min: i64, max: Option<i64>, offers: i64, median: &str| json!({
            "countryCode": country, "minCellCountMillions": min, "maxCellCountMillions": max, "offers": offers,
            "median": { "amount": median, "currencyCode": "USD" } });
        assert_eq!(d["offeredPrices"], json!([
            band("DE", 1, Some(50), 2, "3000.02"),
            band("MX", 1, Some(50), 2, "4500.00"),
            band("MX", 51, Some(100), 1, "6000.01"),
            band("MX", 201, None, 1, "9000.00"),
            band("US", 101, Some(200), 2, "7500.00"),
        ]));

        let day = |n: u64, submitted: i64, offered: i64, accepted: i64| json!({
            "day": plus(f.d0, n).to_string(), "submitted": submitted, "offered": offered, "accepted": accepted });
        assert_eq!(d["daily"], json!([day(0, 9, 9, 3), day(1, 0, 0, 0), day(2, 3, 0, 0), day(3, 0, 0, 0), day(4, 2, 0, 0)]));

        // Today is D0+4: [today, today + 60] holds the one expiring today and the one on the
        // 60th day, not the 61st, not yesterday's, not an unverified one.
        let ours = |list: &Value| -> Vec<String> {
            list.as_array().unwrap().iter().map(|a| a["certificateNumber"].as_str().unwrap().to_owned())
                .filter(|n| n.starts_with("DASH-")).collect()
        };
        assert_eq!(ours(&d["expiringAccreditations"]), ["DASH-TODAY", "DASH-LAST"]);
        let list = d["expiringAccreditations"].as_array().unwrap();
        let days: Vec<&str> = list.iter().map(|a| a["expiresOn"].as_str().unwrap()).collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first: {days:?}");
        assert!(list.iter().all(|a| a["status"] == "VERIFIED"), "{list:?}");
        let within = |n: i64| async move {
            let q = "query($r: DateRange!, $n: Int!) { dashboard(range: $r) { expiringAccreditations(withinDays: $n) {
                certificateNumber } } }";
            let r = json!({ "from": f.d0.to_string(), "to": plus(f.d0, 1).to_string() });
            f.app.data_as(&f.admin.token, q, json!({ "r": r, "n": n })).await["dashboard"]["expiringAccreditations"].clone()
        };
        assert_eq!(ours(&within(0).await), ["DASH-TODAY"]);
        assert_eq!(ours(&within(61).await), ["DASH-TODAY", "DASH-LAST", "DASH-AFTER"]);
    }
}

on_both_backends! {
    /// A range without quotes: zeros and null rates, no group rows, one zero row per day.
    async fn an_empty_range_has_zeros_and_a_row_per_day(backend: Backend) {
        let f = &fixture(backend).await;
        for (from, to) in [(plus(f.d0, 1), plus(f.d0, 2)), (plus(f.d0, 5), plus(f.d0, 8))] {
            let d = f.dashboard(from, to).await;
            assert!(d["quotesByStatus"].as_array().unwrap().iter().all(|s| s["count"] == 0), "{d:#}");
            assert_eq!(d["quotesByStatus"].as_array().unwrap().len(), 8);
            assert_eq!(d["funnel"], funnel(0, 0, 0, 0));
            for list in ["byCountry", "byPartner", "byClinic", "offeredPrices"] {
                assert_eq!(d[list], json!([]), "{list}");
            }
            let days: Vec<Value> = (0..(to - from).num_days() as u64)
                .map(|n| json!({ "day": plus(from, n).to_string(), "submitted": 0, "offered": 0, "accepted": 0 }))
                .collect();
            assert_eq!(d["daily"], json!(days));
        }
        // One day holding everything offered: D0 alone.
        let d = f.dashboard(f.d0, plus(f.d0, 1)).await;
        assert_eq!(d["funnel"], funnel(9, 9, 9, 3));
    }
}
