//! IAM's wildcards: `*` any run of characters, `?` one character, in actions (ignoring case),
//! resource ARNs (segment by segment, keeping case) and `StringLike` values.

/// Whether `text` matches `pattern`; `fold` ignores ASCII case (actions do, values do not).
pub(super) fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    let same = |p: char, t: char| p == t || (fold && p.eq_ignore_ascii_case(&t));
    // The classic two-pointer walk: on a mismatch, let the last `*` swallow one more character.
    let (mut p, mut t, mut star): (usize, usize, Option<(usize, usize)>) = (0, 0, None);
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || same(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// `ArnLike` and the `Resource` element: each of the six colon-separated parts of an ARN is
/// matched on its own (the last part, the resource, may hold colons); `*` alone matches anything.
/// A pattern of fewer parts is matched as a whole.
pub(super) fn arn(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let arn_parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() < 6 {
        return glob(pattern, arn, false);
    }
    arn_parts.len() == 6 && parts.iter().zip(&arn_parts).all(|(p, a)| glob(p, a, false))
}

#[cfg(test)]
mod tests {
    use super::{arn, glob};

    #[test]
    fn wildcards_match_as_iam_documents_them() {
        assert!(glob("ec2:Describe*", "EC2:describeinstances", true));
        assert!(!glob("ec2:Describe*", "EC2:describeinstances", false));
        assert!(glob("iam:*AccessKey*", "iam:CreateAccessKey", true));
        assert!(glob("s3:Get?bject", "s3:GetObject", true));
        assert!(!glob("s3:Get?bject", "s3:GetObjects", true));
        assert!(glob("*", "", true));
        assert!(!glob("a*b", "a", false));
        // reference_policies_elements_resource.html: `*` crosses `/` within a segment.
        let objects = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*";
        for key in [
            "1/test/object.jpg",
            "1/2/3/test/4/object.jpg",
            "1///test///object.jpg",
            "/test/object.jpg",
            "1/test/",
        ] {
            assert!(
                arn(objects, &format!("arn:aws:s3:::DOC-EXAMPLE-BUCKET/{key}")),
                "{key}"
            );
        }
        for key in ["1-test/object.jpg", "test/object.jpg", "1/2/test.jpg"] {
            assert!(
                !arn(objects, &format!("arn:aws:s3:::DOC-EXAMPLE-BUCKET/{key}")),
                "{key}"
            );
        }
        // reference_policies_elements_condition_operators.html#Conditions_ARN: ArnLike matches
        // part by part where StringLike would match across colons.
        let finance = "arn:aws:someservice:*:111122223333:finance/*";
        let stored = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/x";
        assert!(glob(finance, stored, false));
        assert!(!arn(finance, stored));
        // A request on `*` matches only a statement on `*` (cloud-custodian#4612).
        assert!(!arn("arn:aws:s3:::*/*", "*"));
        assert!(arn("*", "*"));
    }
}
