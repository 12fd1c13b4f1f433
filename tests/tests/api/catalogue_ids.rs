//! Global IDs and visibility: `node` and `nodes` for every catalogue type, typed IDs,
//! malformed IDs as bad input, and an unpublished clinic that no path reveals.

use medtour::graphql::ids::Kind;
use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{catalogue_app, clinic_row, gid, the_error_code};

on_both_backends! {
    /// `node` and `nodes` resolve an object of every catalogue type from its ID.
    async fn node_resolves_every_catalogue_type(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app
            .data(
                r#"{ clinic(slug: "sukhumvit-regenerative-hospital") { id doctors { id } accreditations { id }
            certificatesOfAnalysis { id } packages { id treatment { id } } } }"#,
                json!({}),
            )
            .await;
        let c = &data["clinic"];
        let expected = [
            (c["id"].clone(), "Clinic"),
            (c["doctors"][0]["id"].clone(), "Doctor"),
            (c["accreditations"][0]["id"].clone(), "Accreditation"),
            (c["certificatesOfAnalysis"][0]["id"].clone(), "CertificateOfAnalysis"),
            (c["packages"][0]["id"].clone(), "TreatmentPackage"),
            (c["packages"][0]["treatment"]["id"].clone(), "Treatment"),
        ];
        let query =
            "query($id: ID!) { node(id: $id) { __typename id ... on Clinic { slug } ... on Treatment { slug } } }";
        for (id, typename) in &expected {
            let node = app.data(query, json!({ "id": id })).await;
            assert_eq!(node["node"]["__typename"], *typename, "{id}");
            assert_eq!(node["node"]["id"], *id);
        }
        let ids: Vec<&Value> = expected.iter().map(|(id, _)| id).collect();
        let missing = gid(Kind::Clinic, 999_999);
        let quote = gid(Kind::Quote, 1);
        let data = app
            .data(
                "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
                json!({ "ids": [ids[0], missing, ids[1], quote, ids[5]] }),
            )
            .await;
        let nodes = data["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 5);
        assert_eq!((&nodes[0]["id"], &nodes[1], &nodes[2]["__typename"]), (ids[0], &Value::Null, &json!("Doctor")));
        assert_eq!(
            (&nodes[3], &nodes[4]["__typename"]),
            (&Value::Null, &json!("Treatment")),
            "in order, null where nothing is visible"
        );
    }
}

on_both_backends! {
    /// An ID of one type given where another is expected resolves to nothing; one that is not
    /// an ID at all is bad input.
    async fn ids_are_typed_and_malformed_ones_are_bad_input(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data(r#"{ clinic(slug: "spree-zellmedizin-berlin") { doctors { id } } }"#, json!({})).await;
        let doctor = data["clinic"]["doctors"][0]["id"].clone();
        let clinic_query = "query($id: ID) { clinic(id: $id) { slug } }";
        assert_eq!(
            app.data(clinic_query, json!({ "id": doctor })).await["clinic"],
            Value::Null,
            "a Doctor ID is no Clinic"
        );
        assert_eq!(app.data(clinic_query, json!({ "id": gid(Kind::Clinic, 999_999) })).await["clinic"], Value::Null);

        let forge = |text: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text);
        for bad in [
            "",
            "not-an-id",
            "Q2xpbmljOjE=",
            &forge("Clinic:-1"),
            &forge("Clinic:abc"),
            &forge("Patient:1"),
            &forge("Clinic:99999999999"),
            &"A".repeat(200),
        ] {
            for query in [
                clinic_query,
                "query($id: ID!) { node(id: $id) { id } }",
                "query($id: ID!) { nodes(ids: [$id]) { id } }",
            ] {
                let body = app.graphql(query, json!({ "id": bad })).await;
                assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{query} with {bad:?}: {body}");
            }
        }
        for (vars, what) in
            [(json!({}), "neither id nor slug"), (json!({ "id": gid(Kind::Clinic, 1), "slug": "x" }), "both")]
        {
            let body =
                app.graphql("query($id: ID, $slug: String) { clinic(id: $id, slug: $slug) { slug } }", vars).await;
            assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what}");
        }
        let ids: Vec<String> = (1..=101).map(|i| gid(Kind::Clinic, i)).collect();
        let body = app.graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids })).await;
        assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "at most 100 IDs per call");
    }
}

on_both_backends! {
    /// The unpublished Miami clinic, and what belongs to it, cannot be reached by any path.
    async fn an_unpublished_clinic_is_invisible_to_partners(backend: Backend) {
        let app = catalogue_app(backend).await;
        let slug = "biscayne-regenerative-miami";
        let row = clinic_row(&app, slug).await;
        assert_ne!(row.status, "PUBLISHED");
        let by_slug = app.data("query($s: String) { clinic(slug: $s) { id } }", json!({ "s": slug })).await;
        assert_eq!(by_slug["clinic"], Value::Null);
        let by_id =
            app.data("query($id: ID) { clinic(id: $id) { id } }", json!({ "id": gid(Kind::Clinic, row.id) })).await;
        assert_eq!(by_id["clinic"], Value::Null);
        let listed = app
            .data(
                r#"{ clinics(first: 100, filter: { search: "Biscayne" }) { totalCount edges { node { slug } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(listed["clinics"], json!({ "totalCount": 0, "edges": [] }));
        let miami = app.data(r#"{ clinics(first: 100, filter: { city: "Miami" }) { totalCount } }"#, json!({})).await;
        assert_eq!(miami["clinics"]["totalCount"], 0);

        let db = &app.state.db;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let doctor = entity::doctors::Entity::find()
            .filter(entity::doctors::Column::ClinicId.eq(row.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let package = entity::treatment_packages::Entity::find()
            .filter(entity::treatment_packages::Column::ClinicId.eq(row.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let certificate = entity::certificates_of_analysis::Entity::find()
            .filter(entity::certificates_of_analysis::Column::ClinicId.eq(row.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let ids = [
            gid(Kind::Clinic, row.id),
            gid(Kind::Doctor, doctor.id),
            gid(Kind::TreatmentPackage, package.id),
            gid(Kind::CertificateOfAnalysis, certificate.id),
        ];
        let data = app.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids })).await;
        assert_eq!(data["nodes"], json!([null, null, null, null]));
    }
}
