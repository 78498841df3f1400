//! Connection URLs in messages: never with their password.

/// `url` with its password replaced by `***`, for messages and logs: the password of the
/// user part and a `password` query parameter (libpq takes either), or a `password=` pair
/// of a key=value connection string.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return redact_key_values(url);
    };
    if parsed.password().is_some() {
        // Only URLs that cannot have a password (`data:`, …) refuse one.
        let _ = parsed.set_password(Some("***"));
    }
    if parsed
        .query_pairs()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"))
    {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// A key=value connection string with its `password=` value hidden.
fn redact_key_values(text: &str) -> String {
    text.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::redact_url as redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://crawler:s3cret@db.internal:5432/cases?sslmode=disable"),
            "postgres://crawler:***@db.internal:5432/cases?sslmode=disable"
        );
        assert_eq!(
            redact("postgres://crawler@db/cases"),
            "postgres://crawler@db/cases"
        );
        assert_eq!(
            redact("postgres://db.internal/cases?user=crawler&password=s3cret"),
            "postgres://db.internal/cases?user=crawler&password=***"
        );
        assert!(!redact("postgres://u:p%40ss@db/cases").contains("p%40ss"));
        assert_eq!(
            redact("host=db user=crawler password=s3cret dbname=cases"),
            "host=db user=crawler password=*** dbname=cases"
        );
    }
}
