//! The catalogue's one write path and the database as judge of uniqueness: a violated
//! constraint is recognised by its name on both backends and becomes a field error.

use chrono::Utc;
use entity::coa_markers;
use medtour::catalogue::vocab::ClinicStatus;
use medtour::catalogue::write::ClinicDraft;
use medtour::db::{Guarded, on_constraint, violated_constraint};
use medtour::error::ServiceError;
use medtour_tests::{Backend, spawn_app};
use sea_orm::{ActiveModelTrait, DbErr, EntityTrait, Set};

fn draft(slug: &str) -> ClinicDraft {
    ClinicDraft {
        slug: slug.into(),
        name: "Clínica Duplicada".into(),
        country_code: "MX".into(),
        city: "Tijuana".into(),
        description: "A clinic written twice.".into(),
        website: None,
        languages: vec!["es".into()],
        status: ClinicStatus::Published,
    }
}

const SLUG: Guarded =
    Guarded { constraint: "clinics_slug_key", field: &["input", "slug"], message: "the slug is taken" };

medtour_tests::on_both_backends! {
    /// A second clinic with a taken slug, a marker given twice and a percentage out of range
    /// are each named by their constraint, and the slug becomes a field error.
    async fn violated_constraints_are_named_on_both_backends(backend: Backend) {
        let app = spawn_app(backend).await;
        let db = &app.state.db;
        let first = draft("duplicate-slug").row(Utc::now()).insert(db).await.expect("the first clinic is written");
        let err: DbErr = draft("duplicate-slug").row(Utc::now()).insert(db).await.expect_err("the slug is unique");
        assert_eq!(violated_constraint(&err).as_deref(), Some("clinics_slug_key"), "{err}");
        match on_constraint(&err, &[SLUG]) {
            Some(ServiceError::BadInput { field, .. }) => assert_eq!(field, ["input", "slug"]),
            other => panic!("expected a field error, got {other:?}"),
        }
        assert!(on_constraint(&err, &[]).is_none(), "an unguarded constraint is no field error");

        let certificate = entity::certificates_of_analysis::Entity::find()
            .one(db)
            .await
            .unwrap()
            .expect("the demo catalogue has certificates");
        let marker = |percent: f64| coa_markers::ActiveModel {
            certificate_id: Set(certificate.id),
            marker: Set("CD73".into()),
            percent_positive: Set(percent),
            ..Default::default()
        };
        let twice = marker(99.0).insert(db).await.expect_err("each marker once per certificate");
        assert_eq!(violated_constraint(&twice).as_deref(), Some("uq_coa_markers_marker"), "{twice}");
        let mut out_of_range = marker(150.0);
        out_of_range.marker = Set("CD999".into());
        let err = out_of_range.insert(db).await.expect_err("a percentage is 0 to 100");
        assert_eq!(violated_constraint(&err).as_deref(), Some("ck_coa_markers_percent"), "{err}");
        assert!(first.id > 0);
    }
}
