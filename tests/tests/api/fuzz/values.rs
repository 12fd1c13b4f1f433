//! Argument values for the fuzzer: plausible ones, edge cases and hostile ones per scalar
//! (unicode, huge, SQL-ish, out of range, malformed IDs and dates), written either as a
//! GraphQL literal or as a JSON variable.
//!
//! None of the strings contains a word the test looks for in error messages ("SELECT",
//! "constraint", …), so an error that echoes its input is not mistaken for a leak.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use medtour::graphql::ids::{Kind, encode};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

/// A generated input value.
#[derive(Clone, Debug)]
pub enum Val {
    Null,
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Enum(String),
    List(Vec<Val>),
    Object(Vec<(String, Val)>),
}

impl Val {
    /// The value as a GraphQL literal.
    pub fn literal(&self) -> String {
        match self {
            Val::Null => "null".into(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) if f.is_finite() => format!("{f:?}"),
            Val::Float(_) => "1e400".into(),
            // JSON string escapes are valid GraphQL string escapes.
            Val::Str(s) => Value::from(s.as_str()).to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Enum(e) => e.clone(),
            Val::List(items) => format!("[{}]", items.iter().map(Val::literal).collect::<Vec<_>>().join(", ")),
            Val::Object(fields) => {
                format!(
                    "{{{}}}",
                    fields.iter().map(|(k, v)| format!("{k}: {}", v.literal())).collect::<Vec<_>>().join(", ")
                )
            }
        }
    }

    /// The value as a JSON variable (enums as strings).
    pub fn json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Int(i) => json!(i),
            Val::Float(f) => json!(f),
            Val::Str(s) | Val::Enum(s) => json!(s),
            Val::Bool(b) => json!(b),
            Val::List(items) => Value::Array(items.iter().map(Val::json).collect()),
            Val::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
        }
    }
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

fn random_text(rng: &mut StdRng, len: usize, unicode: bool) -> String {
    (0..len)
        .map(|_| {
            if unicode && rng.gen_bool(0.3) {
                char::from_u32(rng.gen_range(0x80..0x2_FFFF)).unwrap_or('\u{FFFD}')
            } else {
                char::from(rng.gen_range(0x20u8..0x7F))
            }
        })
        .collect()
}

/// A string: a catalogue slug, a country code, unicode, a huge one, SQL-ish or random.
pub fn string(rng: &mut StdRng) -> String {
    match rng.gen_range(0..15) {
        0 => String::new(),
        1 => pick(rng, &["msc-chronic-migraine", "msc-knee-osteoarthritis", "no-such-treatment"]).into(),
        2 => pick(rng, &["baja-regenerative-institute", "rhein-zelltherapie-duesseldorf", "lone-star-cell-institute"])
            .into(),
        3 => pick(rng, &["MX", "CO", "TH", "DE", "US", "us", "XX", "M", "MEX", "12"]).into(),
        4 => pick(
            rng,
            &["Zürich – 東京 – 🧠 – مرحبا", "\u{202e}evil\u{202c}", "e\u{301}\u{301}\u{301}", "\u{FEFF}bom", "🧬🧪💉"],
        )
        .into(),
        5 => pick(rng, &["\u{0}", "nul\u{0}inside", "tab\there", "line\nbreak\r\n", "\u{7f}\u{1b}[31m"]).into(),
        6 => "a".repeat(rng.gen_range(1_000..20_000)),
        7 => {
            let len = rng.gen_range(2_000..6_000);
            random_text(rng, len, true)
        }
        8 => pick(rng, &["' OR '1'='1", "'; DROP TABLE quotes; --", "1; UPDATE quotes SET x = 1", "\") OR (\"1\"=\"1"])
            .into(),
        9 => pick(rng, &["%", "_", "%_%", "\\", "\\%", "''", "\"", "$1", "?", ":name", "*"]).into(),
        10 => pick(rng, &["regenerative", "Mexico", "Bangkok", "cure", "100%", "guaranteed"]).into(),
        11 => id(rng, &[]),
        12 => pick(rng, &["2026-01-01", "NaN", "-1", "   ", "null", "true", "{}", "[]"]).into(),
        13 => pick(rng, &["\u{0}", "a\u{0}b", "\u{1}\u{2}\u{3}", "\u{8}\u{c}", "\u{85}\u{2028}\u{2029}"]).into(),
        _ => {
            let len = rng.gen_range(0..40);
            random_text(rng, len, true)
        }
    }
}

/// An integer: small, boundary, negative, huge or out of the 32-bit range.
pub fn int(rng: &mut StdRng) -> i64 {
    match rng.gen_range(0..6) {
        0 => *[0, 1, -1, 2, 5, 10, 20, 100, 101, 1000].choose(rng).unwrap_or(&0),
        1 => *[17, 18, 100, 101, 14, 15, 31, 32, 25, 50, 200, 250].choose(rng).unwrap_or(&0),
        2 => *[i64::from(i32::MAX), i64::from(i32::MIN), i64::from(i32::MAX) - 1].choose(rng).unwrap_or(&0),
        3 => *[i64::from(i32::MAX) + 1, i64::from(i32::MIN) - 1, 9_999_999_999].choose(rng).unwrap_or(&0),
        4 => rng.gen_range(-1_000..1_000),
        _ => i64::from(rng.r#gen::<i32>()),
    }
}

/// The ID of one of `quotes` (rows of quotes the test keeps fresh), or of quote 1 to 3.
fn live_quote(rng: &mut StdRng, quotes: &[i32]) -> String {
    encode(Kind::Quote, quotes.choose(rng).copied().unwrap_or_else(|| rng.gen_range(1..=3))).0
}

/// A global ID: valid ones of every kind, often one of the live `quotes`, valid-looking ones
/// that point nowhere or at the wrong kind, and malformed ones.
pub fn id(rng: &mut StdRng, quotes: &[i32]) -> String {
    let kind = *Kind::ALL.choose(rng).unwrap_or(&Kind::Clinic);
    match rng.gen_range(0..10) {
        0..=1 => encode(kind, rng.gen_range(1..20)).0,
        2..=3 => live_quote(rng, quotes),
        4 => encode(kind, pick_i32(rng)).0,
        5 => URL_SAFE_NO_PAD.encode(pick(
            rng,
            &[
                "Clinic:0",
                "Clinic:-1",
                "Quote:99999999999",
                "Quote:1 OR 1=1",
                "Nope:1",
                "Clinic:",
                ":1",
                "Clinic:1:2",
                "Clinic:०१",
            ],
        )),
        6 => STANDARD.encode(format!("{}:{}", kind.name(), rng.gen_range(1..20))),
        7 => pick(rng, &["", "1", "-1", "Q2xpbmljOjE=", "Q2xpbmljOjE", "!!!!", "Q2xpbmljOjE\u{0}", "%00"]).into(),
        8 => "QUFB".repeat(rng.gen_range(10..400)),
        _ => {
            let len = rng.gen_range(1..30);
            random_text(rng, len, false)
        }
    }
}

fn pick_i32(rng: &mut StdRng) -> i32 {
    *[i32::MAX, 1_000_000, 0, -1].choose(rng).unwrap_or(&1)
}

/// A value for a custom or built-in scalar named `name`.
pub fn scalar(rng: &mut StdRng, name: &str, quotes: &[i32]) -> Val {
    match name {
        "Int" => Val::Int(int(rng)),
        "Float" => Val::Float(*[0.0, -1.5, 70.0, 99.9, 1e308, f64::MIN_POSITIVE].choose(rng).unwrap_or(&0.0)),
        "Boolean" => Val::Bool(rng.gen_bool(0.5)),
        "ID" if rng.gen_bool(0.05) => Val::Int(int(rng)),
        "ID" => Val::Str(id(rng, quotes)),
        "Date" => Val::Str(
            pick(
                rng,
                &[
                    "2026-06-01",
                    "2030-12-31",
                    "2026-02-30",
                    "1900-01-01",
                    "not-a-date",
                    "",
                    "2026-13-01",
                    "+275760-09-13",
                    "0000-00-00",
                    "2026-06-01T00:00:00Z",
                ],
            )
            .into(),
        ),
        "DateTime" => Val::Str(
            pick(
                rng,
                &[
                    "2026-06-01T12:00:00Z",
                    "2099-01-01T00:00:00Z",
                    "1970-01-01T00:00:00+14:00",
                    "2026-06-01",
                    "yesterday",
                    "9999-12-31T23:59:59.999999999Z",
                    "2026-06-01T25:00:00Z",
                    "-000001-01-01T00:00:00Z",
                ],
            )
            .into(),
        ),
        "Decimal" => match rng.gen_range(0..4) {
            0 => Val::Int(int(rng)),
            1 => Val::Float(*[1.5, -0.01, 1e300].choose(rng).unwrap_or(&1.5)),
            _ => Val::Str(
                pick(
                    rng,
                    &[
                        "15000",
                        "0",
                        "0.01",
                        "-1",
                        "1e400",
                        "99999999999999999999999999999",
                        "NaN",
                        "Infinity",
                        "12.345678",
                        "1,000",
                        "",
                        "0x10",
                        "3750.00",
                    ],
                )
                .into(),
            ),
        },
        _ => Val::Str(string(rng)),
    }
}

/// A plausible value for the scalar `name`: what a well-behaved partner would send, so
/// that well-formed cases get past validation into the resolvers and the database.
pub fn plausible(rng: &mut StdRng, name: &str, quotes: &[i32]) -> Val {
    match name {
        "Int" => Val::Int(*[1, 2, 5, 10, 15, 20, 25, 40, 50, 100].choose(rng).unwrap_or(&1)),
        "Float" => Val::Float(75.5),
        "Boolean" => Val::Bool(rng.gen_bool(0.5)),
        "ID" if rng.gen_bool(0.5) => Val::Str(live_quote(rng, quotes)),
        "ID" => Val::Str(encode(*Kind::ALL.choose(rng).unwrap_or(&Kind::Clinic), rng.gen_range(1..16)).0),
        "Date" => Val::Str(pick(rng, &["2026-12-01", "2027-01-15", "2027-03-31"]).into()),
        "DateTime" => {
            Val::Str(pick(rng, &["2020-01-01T00:00:00Z", "2027-06-01T12:00:00Z", "2030-01-01T00:00:00+02:00"]).into())
        }
        "Decimal" => Val::Str(pick(rng, &["5000", "12000.50", "25000", "3750.00"]).into()),
        _ => Val::Str(
            pick(
                rng,
                &[
                    "msc-chronic-migraine",
                    "msc-knee-osteoarthritis",
                    "baja-regenerative-institute",
                    "MX",
                    "US",
                    "Bangkok",
                    "regenerative",
                    "ref-001",
                ],
            )
            .into(),
        ),
    }
}

/// A value of no particular type, for "wrong type" cases.
pub fn wrong(rng: &mut StdRng) -> Val {
    match rng.gen_range(0..8) {
        0 => Val::Int(int(rng)),
        1 => Val::Str(string(rng)),
        2 => Val::Bool(rng.gen_bool(0.5)),
        3 => Val::Float(-2.5),
        4 => Val::Enum(pick(rng, &["NOT_A_VALUE", "pass", "ASC", "PASS", "true"]).into()),
        5 => Val::List(vec![Val::Int(1), Val::Str("x".into())]),
        6 => Val::Object(vec![("unexpected".into(), Val::Int(1))]),
        _ => Val::Null,
    }
}
