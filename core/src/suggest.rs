//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        // Lengths this far apart are no typo (and the distance costs their product to compute).
        .filter(|candidate| {
            name.len().abs_diff(candidate.len()) <= name.len().max(candidate.len()) / 3 + 1
        })
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), candidate))
        .filter(|(distance, candidate)| {
            *distance <= (name.len().max(candidate.len()) / 3).max(1)
                || candidate.eq_ignore_ascii_case(name)
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// A help text suggesting the closest candidate, or listing them all when none is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match closest(name, candidates.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let mut all: Vec<&str> = candidates.into_iter().collect();
            all.sort_unstable();
            all.dedup();
            if all.is_empty() {
                "nothing is defined here yet".to_owned()
            } else {
                format!("expected one of: {}", all.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let ops = ["eks:DescribeCluster", "eks:ListClusters"];
        assert_eq!(
            closest("eks:DescribeClustr", ops),
            Some("eks:DescribeCluster")
        );
        assert_eq!(
            closest("eks:describecluster", ops),
            Some("eks:DescribeCluster")
        );
        assert_eq!(closest("iam:GetRole", ops), None);
    }
}
