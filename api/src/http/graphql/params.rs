//! Reading GraphQL request parameters from a POST body or a GET query string, strictly:
//! `query` must be a string, `operationName` a string or null, `variables` and
//! `extensions` objects or null. Anything else is a request error.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The parameters of one GraphQL request.
#[derive(Debug, Clone)]
pub struct Params {
    /// Absent only when a persisted query's hash stands for it.
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    pub extensions: Map<String, Value>,
}

/// What was wrong with the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParams(pub String);

fn object(value: Option<&Value>, name: &str) -> Result<Map<String, Value>, BadParams> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(BadParams(format!("`{name}` must be an object"))),
    }
}

/// Parameters from a decoded JSON body.
pub fn from_json(body: &Value) -> Result<Params, BadParams> {
    let Value::Object(map) = body else {
        return Err(BadParams("the body must be a JSON object".into()));
    };
    let extensions = object(map.get("extensions"), "extensions")?;
    let query = match map.get("query") {
        Some(Value::String(q)) => Some(q.clone()),
        Some(_) => return Err(BadParams("`query` must be a string".into())),
        None if extensions.contains_key("persistedQuery") => None,
        None => return Err(BadParams("`query` is required".into())),
    };
    let operation_name = match map.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(BadParams("`operationName` must be a string".into())),
    };
    Ok(Params { query, operation_name, variables: object(map.get("variables"), "variables")?, extensions })
}

/// Parameters from a GET query string; `variables` and `extensions` are JSON text.
pub fn from_query_string(raw: &str) -> Result<Params, BadParams> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw).map_err(|_| BadParams("the query string is malformed".into()))?;
    let mut map: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        if map.insert(k.clone(), v).is_some() {
            return Err(BadParams(format!("`{k}` is given twice")));
        }
    }
    let json = |name: &str| -> Result<Option<Value>, BadParams> {
        map.get(name)
            .map(|text| serde_json::from_str(text).map_err(|_| BadParams(format!("`{name}` must be JSON"))))
            .transpose()
    };
    let extensions = object(json("extensions")?.as_ref(), "extensions")?;
    let query = map.get("query").cloned();
    if query.is_none() && !extensions.contains_key("persistedQuery") {
        return Err(BadParams("`query` is required".into()));
    }
    let variables = object(json("variables")?.as_ref(), "variables")?;
    let operation_name = map.get("operationName").filter(|n| !n.is_empty()).cloned();
    Ok(Params { query, operation_name, variables, extensions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_parameters_are_refused() {
        for body in [
            json!([]),
            json!({}),
            json!({ "query": 1 }),
            json!({ "query": ["{ a }"] }),
            json!({ "query": "{ a }", "operationName": 0 }),
            json!({ "query": "{ a }", "variables": "x" }),
            json!({ "query": "{ a }", "variables": [1] }),
            json!({ "query": "{ a }", "extensions": false }),
        ] {
            assert!(from_json(&body).is_err(), "{body}");
        }
        let ok = from_json(&json!({ "query": "{ a }", "variables": null, "operationName": null, "extensions": null }));
        assert!(ok.is_ok());
    }

    #[test]
    fn get_parameters_carry_json_variables() {
        let p = from_query_string("query=query%20Q%28%24n%3AString%21%29%7Ba%7D&variables=%7B%22n%22%3A%22x%22%7D")
            .unwrap();
        assert_eq!(p.variables.get("n"), Some(&json!("x")));
        assert!(from_query_string("variables=%7B%7D").is_err());
        assert!(from_query_string("query=%7Ba%7D&variables=nope").is_err());
    }
}
