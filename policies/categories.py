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


class Friendly(NamedTuple):
    """One row of the friendly table: id, IRI, label, and the phrase used in sentences."""

    id: str
    iri: str
    label: str
    phrase: str
    definition: str = ""  # empty: taken from the DPV file


FRIENDLY: tuple[Friendly, ...] = (
    Friendly("contact", PD + "Contact", "Contact", "contact details"),
    Friendly("contact.email", PD + "EmailAddress", "Email address", "email address"),
    Friendly("contact.phone", PD + "TelephoneNumber", "Telephone number", "telephone number"),
    Friendly("identity", PD + "Identifying", "Identity", "identifying details"),
    Friendly("identity.name", PD + "Name", "Name", "name"),
    Friendly("identity.username", PD + "Username", "Username", "username"),
    Friendly(
        "identity.official_id", PD + "OfficialID", "Official ID", "official identity documents"
    ),
    Friendly("identity.picture", PD + "Picture", "Picture", "pictures of you"),
    Friendly("address", PD + "PhysicalAddress", "Address", "address"),
    Friendly("address.street", PD + "Street", "Street", "street"),
    Friendly("address.house_number", PD + "HouseNumber", "House number", "house number"),
    Friendly("address.city", PD + "City", "City", "city"),
    Friendly("address.postal", PD + "PostalCode", "Postal code", "postal code"),
    Friendly("address.region", PD + "Region", "Region", "region"),
    Friendly("address.country", PD + "Country", "Country", "country"),
    Friendly("demographics", PD + "Demographic", "Demographics", "demographic details"),
    Friendly("demographics.age", PD + "Age", "Age", "age"),
    Friendly("demographics.birthdate", PD + "BirthDate", "Date of birth", "date of birth"),
    Friendly("demographics.gender", PD + "Gender", "Gender", "gender"),
    Friendly("demographics.nationality", PD + "Nationality", "Nationality", "nationality"),
    Friendly("demographics.language", PD + "Language", "Language", "language"),
    Friendly("household", PD + "Household", "Household", "household details"),
    Friendly(
        "household.size",
        CUSTOS_PD + "HouseholdSize",
        "Household size",
        "household size",
        "Information about how many people live in the household",
    ),
    Friendly("household.family", PD + "FamilyStructure", "Family", "family structure"),
    Friendly("household.children", PD + "Offspring", "Children", "children"),
    Friendly("household.marital_status", PD + "MaritalStatus", "Marital status", "marital status"),
    Friendly("household.home", PD + "HouseOwned", "Home owned", "home ownership"),
    Friendly("household.car", PD + "CarOwned", "Car owned", "car ownership"),
    Friendly("financial", PD + "Financial", "Financial", "financial details"),
    Friendly("financial.income", PD + "Income", "Income", "income"),
    Friendly("financial.income_bracket", PD + "IncomeBracket", "Income bracket", "income bracket"),
    Friendly("financial.credit_score", PD + "CreditScore", "Credit score", "credit score"),
    Friendly("financial.bank_account", PD + "BankAccount", "Bank account", "bank account"),
    Friendly("financial.payment_card", PD + "PaymentCard", "Payment card", "payment card"),
    Friendly("financial.purchases", PD + "Purchase", "Purchases", "purchases"),
    Friendly("preferences", PD + "Preference", "Preferences", "preferences"),
    Friendly("preferences.interests", PD + "Interest", "Interests", "interests"),
    Friendly("preferences.likes", PD + "Like", "Likes", "likes"),
    Friendly("preferences.dislikes", PD + "Dislike", "Dislikes", "dislikes"),
    Friendly("preferences.favourites", PD + "Favourite", "Favourites", "favourites"),
    Friendly("preferences.intentions", PD + "Intention", "Intentions", "intentions"),
    Friendly("preferences.opinions", PD + "Opinion", "Opinions", "opinions"),
    Friendly(
        "preferences.privacy",
        PD + "PrivacyPreference",
        "Privacy preferences",
        "privacy preferences",
    ),
    Friendly(
        "professional", PD + "Professional", "Work and education", "work and education details"
    ),
    Friendly("professional.job", PD + "Job", "Job", "job"),
    Friendly("professional.employer", PD + "CurrentEmployment", "Employer", "current employment"),
    Friendly("professional.education", PD + "Education", "Education", "education"),
    Friendly("professional.salary", PD + "Salary", "Salary", "salary"),
    Friendly("location", PD + "Location", "Location", "location"),
    Friendly("location.gps", PD + "GPSCoordinate", "GPS position", "GPS position"),
    Friendly("location.travel", PD + "TravelHistory", "Travel history", "travel history"),
    Friendly("behaviour", PD + "Behavioural", "Behaviour", "behaviour"),
    Friendly("behaviour.browsing", PD + "BrowsingBehaviour", "Browsing", "browsing behaviour"),
    Friendly(
        "behaviour.service_usage",
        PD + "ServiceConsumptionBehaviour",
        "Service usage",
        "service usage",
    ),
    Friendly("device", PD + "DeviceBased", "Device", "device details"),
    Friendly("device.ip", PD + "IPAddress", "IP address", "IP address"),
    Friendly(
        "device.fingerprint",
        PD + "BrowserFingerprint",
        "Browser fingerprint",
        "browser fingerprint",
    ),
    # What a vendor adds to the person's vault under an agreement (write-back, issue 14); DPV
    # has no concept for these, so they sit under Custos's own, each also narrower than the
    # nearest DPV concept (a deny on `address` also touches the delivery address a vendor used).
    Friendly(
        "customer",
        CUSTOS_PD + "CustomerRecord",
        "Customer records",
        "customer records",
        "Information a vendor keeps about the person as its customer",
    ),
    Friendly(
        "customer.orders",
        CUSTOS_PD + "OrderHistory",
        "Order history",
        "order history",
        "Information about the orders the person placed with a vendor",
    ),
    Friendly(
        "customer.warranty",
        CUSTOS_PD + "Warranty",
        "Warranties",
        "warranties",
        "Information about the warranties of goods the person bought",
    ),
    Friendly(
        "customer.loyalty_id",
        CUSTOS_PD + "LoyaltyID",
        "Loyalty number",
        "loyalty number",
        "The identifier of the person in a vendor's loyalty programme",
    ),
    Friendly(
        "customer.delivery_address",
        CUSTOS_PD + "DeliveryAddressUsed",
        "Delivery address used",
        "delivery address used",
        "An address a vendor delivered to for the person",
    ),
    Friendly("health", PD + "MedicalHealth", "Health", "health details"),
    Friendly("health.blood_type", PD + "BloodType", "Blood type", "blood type"),
    Friendly("health.prescriptions", PD + "Prescription", "Prescriptions", "prescriptions"),
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
