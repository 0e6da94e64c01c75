//! Rust names of model names, derived the way smithy-rs (the AWS SDK's generator) derives them:
//! words split at case changes and acronym ends (`DBProxy` → `db_proxy`, `ACLs` → `acls`), with
//! a few whole words (`Ipv6`), and Rust keywords escaped.

/// Words that are whole although their case changes inside (`IPv4`, `MiB`).
const COMPLETE_WORDS: [&str; 7] = ["ipv4", "ipv6", "sigv4", "mib", "gib", "kib", "ttl"];

fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let all_lower = name.to_lowercase() == name;
    let mut words = Vec::new();
    let mut current = String::new();
    let mut emit = |current: &mut String, next: char| {
        if !current.is_empty() {
            words.push(current.to_lowercase());
        }
        *current = if next.is_alphanumeric() {
            next.to_string()
        } else {
            String::new()
        };
    };
    for (index, &next) in chars.iter().enumerate() {
        let peek = chars.get(index + 1).copied();
        let double_peek = chars.get(index + 2).copied();
        let rest: String = chars[index..].iter().collect();
        let complete_word_in_progress = COMPLETE_WORDS
            .iter()
            .any(|word| format!("{current}{rest}").to_lowercase().starts_with(word))
            && !COMPLETE_WORDS.contains(&current.to_lowercase().as_str());
        let last = current.chars().last();
        // `Abc[D]ef` or `Ab2[D]ef`
        let lower_then_upper =
            next.is_uppercase() && last.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
        // `s3[k]ey`, in names that are all lowercase
        let digit_then_lower =
            all_lower && last.is_some_and(|c| c.is_ascii_digit()) && next.is_lowercase();
        let boundary = !next.is_alphanumeric()
            || (!current.is_empty()
                && ((!complete_word_in_progress && (lower_then_upper || digit_then_lower))
                    || end_of_acronym(last, next, peek, double_peek)));
        if boundary {
            emit(&mut current, next);
        } else {
            current.push(next);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `DB[P]roxy`, `IAM[U]ser`, but not `AC[L]s` or `DynamoD[B]v2`.
fn end_of_acronym(
    last: Option<char>,
    next: char,
    peek: Option<char>,
    double_peek: Option<char>,
) -> bool {
    if !last.is_some_and(char::is_uppercase) || !next.is_uppercase() {
        return false;
    }
    if !peek.is_some_and(char::is_lowercase) {
        return false;
    }
    if peek == Some('s') && !double_peek.is_some_and(char::is_lowercase) {
        return false;
    }
    if peek == Some('v') && double_peek.is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    true
}

/// `DescribeVpcAttribute` → `describe_vpc_attribute`.
pub(crate) fn snake_case(name: &str) -> String {
    split_words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// A shape name as a Rust type name, as smithy's `CaseUtils` makes it: words split where an
/// acronym ends (`MFADevice` → `MfaDevice`) or a lowercase letter or digit meets an uppercase one
/// (`MemoryMiB` → `MemoryMiB`), each word capitalised.
pub(crate) fn pascal_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut split = String::new();
    for (index, &c) in chars.iter().enumerate() {
        let previous = index.checked_sub(1).map(|i| chars[i]);
        let next = chars.get(index + 1).copied();
        let acronym_end = c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        let case_change = c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        if acronym_end || case_change {
            split.push('_');
        }
        split.push(c);
    }
    split
        .to_lowercase()
        .split(['_', '-', ' '])
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// The SDK's field name for a structure member: snake case, keywords escaped, and names that
/// would clash with builder methods renamed.
pub(crate) fn rust_member_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
        "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
        "typeof", "unsized", "virtual", "yield", "try",
    ];
    let snake = snake_case(name);
    match snake.as_str() {
        "crate" | "super" | "self" => format!("{snake}_"),
        "build" | "builder" | "default" | "send" | "customize" | "meta" => format!("{snake}_value"),
        word if KEYWORDS.contains(&word) => format!("r#{snake}"),
        _ => snake,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_smithy_rs() {
        assert_eq!(snake_case("DescribeVpcAttribute"), "describe_vpc_attribute");
        assert_eq!(
            snake_case("Ipv6CidrBlockAssociationSet"),
            "ipv6_cidr_block_association_set"
        );
        assert_eq!(snake_case("DBProxy"), "db_proxy");
        assert_eq!(snake_case("ACLs"), "acls");
        assert_eq!(
            snake_case("clusterSecurityGroupId"),
            "cluster_security_group_id"
        );
        assert_eq!(snake_case("EnableDns64"), "enable_dns64");
        assert_eq!(rust_member_name("type"), "r#type");
        assert_eq!(pascal_case("OIDC"), "Oidc");
        assert_eq!(pascal_case("labelsMap"), "LabelsMap");
        assert_eq!(pascal_case("MFADevice"), "MfaDevice");
        assert_eq!(pascal_case("MemoryGiBPerVCpu"), "MemoryGiBPerVCpu");
    }
}
