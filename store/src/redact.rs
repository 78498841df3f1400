//! Connection URLs in messages: never with their password.

/// `url` with its password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // key=value form: hide a `password=` value.
        return url
            .split_whitespace()
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
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
            redact("host=db user=crawler password=s3cret dbname=cases"),
            "host=db user=crawler password=*** dbname=cases"
        );
    }
}
