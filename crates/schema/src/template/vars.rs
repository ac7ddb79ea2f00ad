//! Variables in template text: `{{1}}` (positional) or `{{first_name}}` (named), and filling
//! them.

/// One variable of a template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var<'a> {
    /// `{{n}}`.
    Positional(u32),
    /// `{{name}}`.
    Named(&'a str),
    /// `{{…}}` that is neither (`{{ 1 }}`, `{{first-name}}`, `{{}}`).
    Malformed(&'a str),
}

/// The variables of `text`, in order of appearance (a repeated one appears again).
pub fn variables(text: &str) -> Vec<Var<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = &after[..end];
        out.push(classify(inner));
        rest = &after[end + 2..];
    }
    out
}

fn classify(inner: &str) -> Var<'_> {
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return match inner.parse::<u32>() {
            Ok(n) if n > 0 && !inner.starts_with('0') => Var::Positional(n),
            _ => Var::Malformed(inner),
        };
    }
    let mut bytes = inner.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    if first_ok
        && inner
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Var::Named(inner)
    } else {
        Var::Malformed(inner)
    }
}

/// How many distinct variables `text` has: the highest `{{n}}`, or the number of distinct
/// names.
pub fn count(text: &str) -> usize {
    let vars = variables(text);
    let mut names: Vec<&str> = Vec::new();
    let mut highest = 0u32;
    for v in &vars {
        match v {
            Var::Positional(n) => highest = highest.max(*n),
            Var::Named(name) => {
                if !names.contains(name) {
                    names.push(name);
                }
            }
            Var::Malformed(_) => {}
        }
    }
    (highest as usize).max(names.len())
}

/// The distinct names of a named-variable text, in order of first appearance.
pub fn names(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for v in variables(text) {
        if let Var::Named(name) = v
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// `text` with each `{{n}}` replaced by `values[n - 1]` and each `{{name}}` by the value given
/// for that name; variables with no value are left as they are.
pub fn fill(text: &str, positional: &[&str], named: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let inner = &after[..end];
        let value = match classify(inner) {
            Var::Positional(n) => positional.get(n as usize - 1).copied(),
            Var::Named(name) => named.iter().find(|(k, _)| *k == name).map(|(_, v)| *v),
            Var::Malformed(_) => None,
        };
        match value {
            Some(v) => out.push_str(v),
            None => {
                out.push_str("{{");
                out.push_str(inner);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_read_and_filled() {
        let t = "Hi {{1}}, code {{2}}; again {{1}}";
        assert_eq!(count(t), 2);
        assert_eq!(
            fill(t, &["Pablo", "10OFF"], &[]),
            "Hi Pablo, code 10OFF; again Pablo"
        );
        let n = "Hi {{first_name}}, {{first_name}} and {{city}}";
        assert_eq!(names(n), vec!["first_name", "city"]);
        assert_eq!(count(n), 2);
        assert_eq!(
            fill(n, &[], &[("city", "Lima")]),
            "Hi {{first_name}}, {{first_name}} and Lima"
        );
        assert_eq!(
            variables("{{0}} {{01}} {{a-b}} {{}}"),
            vec![
                Var::Malformed("0"),
                Var::Malformed("01"),
                Var::Malformed("a-b"),
                Var::Malformed("")
            ]
        );
        assert_eq!(count("no variables {{ at all"), 0);
    }
}
