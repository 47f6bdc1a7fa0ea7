"""Custos's friendly personal-data category ids, mapped onto W3C DPV personal-data IRIs.

One table, read by `policies.vocab`: the server's forms, the terms and the docs all use it.
A friendly id's parent is its dotted prefix (`contact.email` -> `contact`); the group ids follow
the categories of the product specification. Where DPV has no concept (household size), Custos
adds one under its own `urn:custos:pd:` namespace, declared narrower than the DPV concept.
"""

from __future__ import annotations

from typing import NamedTuple

PD = "https://w3id.org/dpv/pd#"
DPV = "https://w3id.org/dpv#"
CUSTOS_PD = "urn:custos:pd:"


def N_(text: str) -> str:
    """Marks a label for the pages' translations (pybabel -k N_); the engine keeps English."""
    return text


class Friendly(NamedTuple):
    """One row of the friendly table: id, IRI, label, and the phrase used in sentences."""

    id: str
    iri: str
    label: str
    phrase: str
    definition: str = ""  # empty: taken from the DPV file


FRIENDLY: tuple[Friendly, ...] = (
    Friendly("contact", PD + "Contact", N_("Contact"), N_("contact details")),
    Friendly("contact.email", PD + "EmailAddress", N_("Email address"), N_("email address")),
    Friendly("contact.phone", PD + "TelephoneNumber", N_("Telephone number"),
        N_("telephone number")),
    Friendly("identity", PD + "Identifying", N_("Identity"), N_("identifying details")),
    Friendly("identity.name", PD + "Name", N_("Name"), N_("name")),
    Friendly("identity.username", PD + "Username", N_("Username"), N_("username")),
    Friendly(
        "identity.official_id", PD + "OfficialID", N_("Official ID"),
            N_("official identity documents")
    ),
    Friendly("identity.picture", PD + "Picture", N_("Picture"), N_("pictures of you")),
    Friendly("address", PD + "PhysicalAddress", N_("Address"), N_("address")),
    Friendly("address.street", PD + "Street", N_("Street"), N_("street")),
    Friendly("address.house_number", PD + "HouseNumber", N_("House number"), N_("house number")),
    Friendly("address.city", PD + "City", N_("City"), N_("city")),
    Friendly("address.postal", PD + "PostalCode", N_("Postal code"), N_("postal code")),
    Friendly("address.region", PD + "Region", N_("Region"), N_("region")),
    Friendly("address.country", PD + "Country", N_("Country"), N_("country")),
    Friendly("address.postal_area", CUSTOS_PD + "PostalArea", N_("Postal area"), N_("postal area"),
             "The first two characters of the postal code: the area, not the street"),
    Friendly("demographics", PD + "Demographic", N_("Demographics"), N_("demographic details")),
    Friendly("demographics.age", PD + "Age", N_("Age"), N_("age")),
    Friendly("demographics.birthdate", PD + "BirthDate", N_("Date of birth"), N_("date of birth")),
    *(Friendly(f"demographics.over_{n}", f"{CUSTOS_PD}Over{n}", f"Over {n}",
               f"whether you are over {n}",
               f"Whether the person is {n} years old or older: yes or no, worked out by the vault")
      for n in (13, 16, 18, 21, 65)),
    Friendly("demographics.age_bracket", CUSTOS_PD + "AgeBracket", N_("Age bracket"),
             N_("age bracket"), "The span of years the person's age falls in, such as 35-44"),
    Friendly("demographics.gender", PD + "Gender", N_("Gender"), N_("gender")),
    Friendly("demographics.nationality", PD + "Nationality", N_("Nationality"), N_("nationality")),
    Friendly("demographics.language", PD + "Language", N_("Language"), N_("language")),
    Friendly("household", PD + "Household", N_("Household"), N_("household details")),
    Friendly(
        "household.size",
        CUSTOS_PD + "HouseholdSize",
        N_("Household size"),
        N_("household size"),
        "Information about how many people live in the household",
    ),
    Friendly("household.size_bracket", CUSTOS_PD + "HouseholdSizeBracket",
             N_("Household size bracket"), N_("household size bracket"),
             "How many people live in the household, in spans: 1, 2, 3-4, 5 or more"),
    Friendly("household.family", PD + "FamilyStructure", N_("Family"), N_("family structure")),
    Friendly("household.children", PD + "Offspring", N_("Children"), N_("children")),
    Friendly(
        "household.marital_status", PD + "MaritalStatus", N_("Marital status"), N_("marital status")
    ),
    Friendly("household.home", PD + "HouseOwned", N_("Home owned"), N_("home ownership")),
    Friendly("household.car", PD + "CarOwned", N_("Car owned"), N_("car ownership")),
    Friendly("financial", PD + "Financial", N_("Financial"), N_("financial details")),
    Friendly("financial.income", PD + "Income", N_("Income"), N_("income")),
    Friendly(
        "financial.income_bracket", PD + "IncomeBracket", N_("Income bracket"), N_("income bracket")
    ),
    Friendly("financial.credit_score", PD + "CreditScore", N_("Credit score"), N_("credit score")),
    Friendly("financial.bank_account", PD + "BankAccount", N_("Bank account"), N_("bank account")),
    Friendly("financial.payment_card", PD + "PaymentCard", N_("Payment card"), N_("payment card")),
    Friendly("financial.purchases", PD + "Purchase", N_("Purchases"), N_("purchases")),
    Friendly("preferences", PD + "Preference", N_("Preferences"), N_("preferences")),
    Friendly("preferences.interests", PD + "Interest", N_("Interests"), N_("interests")),
    Friendly("preferences.likes", PD + "Like", N_("Likes"), N_("likes")),
    Friendly("preferences.dislikes", PD + "Dislike", N_("Dislikes"), N_("dislikes")),
    Friendly("preferences.favourites", PD + "Favourite", N_("Favourites"), N_("favourites")),
    Friendly("preferences.intentions", PD + "Intention", N_("Intentions"), N_("intentions")),
    Friendly("preferences.opinions", PD + "Opinion", N_("Opinions"), N_("opinions")),
    Friendly(
        "preferences.privacy",
        PD + "PrivacyPreference",
        N_("Privacy preferences"),
        N_("privacy preferences"),
    ),
    Friendly(
        "professional", PD + "Professional", N_("Work and education"),
            N_("work and education details")
    ),
    Friendly("professional.job", PD + "Job", N_("Job"), N_("job")),
    Friendly(
        "professional.employer", PD + "CurrentEmployment", N_("Employer"), N_("current employment")
    ),
    Friendly("professional.education", PD + "Education", N_("Education"), N_("education")),
    Friendly("professional.salary", PD + "Salary", N_("Salary"), N_("salary")),
    Friendly("location", PD + "Location", N_("Location"), N_("location")),
    Friendly("location.gps", PD + "GPSCoordinate", N_("GPS position"), N_("GPS position")),
    Friendly("location.travel", PD + "TravelHistory", N_("Travel history"), N_("travel history")),
    Friendly("behaviour", PD + "Behavioural", N_("Behaviour"), N_("behaviour")),
    Friendly("behaviour.browsing", PD + "BrowsingBehaviour", N_("Browsing"),
        N_("browsing behaviour")),
    Friendly(
        "behaviour.service_usage",
        PD + "ServiceConsumptionBehaviour",
        N_("Service usage"),
        N_("service usage"),
    ),
    Friendly("device", PD + "DeviceBased", N_("Device"), N_("device details")),
    Friendly("device.ip", PD + "IPAddress", N_("IP address"), N_("IP address")),
    Friendly(
        "device.fingerprint",
        PD + "BrowserFingerprint",
        N_("Browser fingerprint"),
        N_("browser fingerprint"),
    ),
    # What a vendor adds to the person's vault under an agreement (write-back, issue 14); DPV
    # has no concept for these, so they sit under Custos's own, each also narrower than the
    # nearest DPV concept (a deny on `address` also touches the delivery address a vendor used).
    Friendly(
        "customer",
        CUSTOS_PD + "CustomerRecord",
        N_("Customer records"),
        N_("customer records"),
        "Information a vendor keeps about the person as its customer",
    ),
    Friendly(
        "customer.orders",
        CUSTOS_PD + "OrderHistory",
        N_("Order history"),
        N_("order history"),
        "Information about the orders the person placed with a vendor",
    ),
    Friendly(
        "customer.warranty",
        CUSTOS_PD + "Warranty",
        N_("Warranties"),
        N_("warranties"),
        "Information about the warranties of goods the person bought",
    ),
    Friendly(
        "customer.loyalty_id",
        CUSTOS_PD + "LoyaltyID",
        N_("Loyalty number"),
        N_("loyalty number"),
        "The identifier of the person in a vendor's loyalty programme",
    ),
    Friendly(
        "customer.delivery_address",
        CUSTOS_PD + "DeliveryAddressUsed",
        N_("Delivery address used"),
        N_("delivery address used"),
        "An address a vendor delivered to for the person",
    ),
    Friendly("health", PD + "MedicalHealth", N_("Health"), N_("health details")),
    Friendly("health.blood_type", PD + "BloodType", N_("Blood type"), N_("blood type")),
    Friendly("health.prescriptions", PD + "Prescription", N_("Prescriptions"), N_("prescriptions")),
)

# Custos places a few DPV concepts under a second group, so that the spec's groups read naturally
# (DPV files age and gender under physical characteristics, not demographics). Child -> parent IRIs.
EXTRA_BROADER: dict[str, str] = {
    PD + "Age": PD + "Demographic",
    PD + "Gender": PD + "Demographic",
    PD + "Nationality": PD + "Demographic",
    PD + "Language": PD + "Demographic",
    PD + "Country": PD + "PhysicalAddress",
    PD + "Income": PD + "Financial",
    PD + "IncomeBracket": PD + "Financial",
    PD + "FamilyStructure": PD + "Household",
    PD + "Offspring": PD + "Household",
    PD + "MaritalStatus": PD + "Household",
    PD + "HouseOwned": PD + "Household",
    PD + "CarOwned": PD + "Household",
    PD + "Salary": PD + "Financial",
    CUSTOS_PD + "HouseholdSize": PD + "Household",
    # derived claims (vault/claims.py) sit under what they are worked out from, so a grant of
    # the precise category covers them, and a grant of a claim covers nothing more precise
    **{f"{CUSTOS_PD}Over{n}": PD + "Age" for n in (13, 16, 18, 21, 65)},
    CUSTOS_PD + "AgeBracket": PD + "Age",
    CUSTOS_PD + "PostalArea": PD + "PostalCode",
    CUSTOS_PD + "HouseholdSizeBracket": CUSTOS_PD + "HouseholdSize",
    CUSTOS_PD + "CustomerRecord": DPV + "PersonalData",
    CUSTOS_PD + "OrderHistory": CUSTOS_PD + "CustomerRecord",
    CUSTOS_PD + "Warranty": CUSTOS_PD + "CustomerRecord",
    CUSTOS_PD + "LoyaltyID": CUSTOS_PD + "CustomerRecord",
    CUSTOS_PD + "DeliveryAddressUsed": CUSTOS_PD + "CustomerRecord",
}
# Second parents of Custos's own concepts (the first is in EXTRA_BROADER).
ALSO_BROADER: dict[str, tuple[str, ...]] = {
    CUSTOS_PD + "OrderHistory": (PD + "Purchase",),
    CUSTOS_PD + "Warranty": (PD + "PersonalPossession",),
    CUSTOS_PD + "LoyaltyID": (PD + "AccountIdentifier",),
    CUSTOS_PD + "DeliveryAddressUsed": (PD + "PhysicalAddress",),
}
