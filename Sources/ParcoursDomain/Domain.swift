/// The signup domain of Parcours on the runtime: the structure directory (INSEE SIRENE), accounts, structures and
/// their managers, attachment requests, activation and reset links, passwords, sessions and the captcha. It
/// implements the actions and assignee resolvers named by the catalogue of `workflows/actions.yaml`.
public enum Domain {}
