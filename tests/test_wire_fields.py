"""digisos.wire.FieldsBuiltOnce: a serializer's fields are built once per class and copied for each
instance (issue 19); every instance still gets fields of its own, bound to it, with its context."""

from rest_framework import serializers

from digisos.wire import WireSerializer


class Inner(WireSerializer):
    name = serializers.CharField()
    who = serializers.SerializerMethodField()

    def get_who(self, obj):
        return self.context.get("who")


class Outer(WireSerializer):
    number = serializers.IntegerField(min_value=1)
    tags = serializers.ListField(child=serializers.CharField())
    inner = Inner()
    items = Inner(many=True)
    seen = serializers.SerializerMethodField()

    def get_seen(self, obj):
        return self.context["who"]


DATA = {"number": 3, "tags": ["a", "b"], "inner": {"name": "x"}, "items": [{"name": "y"}, {"name": "z"}]}


def test_each_instance_has_its_own_bound_fields_and_context():
    first, second = Outer(DATA, context={"who": "eins"}), Outer(DATA, context={"who": "zwei"})
    assert first.data == {**DATA, "inner": {"name": "x", "who": "eins"}, "seen": "eins"} | {
        "items": [{"name": "y", "who": "eins"}, {"name": "z", "who": "eins"}]
    }
    assert second.data["seen"] == second.data["inner"]["who"] == second.data["items"][1]["who"] == "zwei"
    for name in ("number", "tags", "inner", "items", "seen"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.fields["tags"].child is not second.fields["tags"].child
    prototypes = Outer.__dict__["_field_prototypes"]
    assert all(field.field_name is None for field in prototypes.values())  # never bound themselves


def test_validation_still_runs_per_instance():
    good, bad = Outer(data=DATA), Outer(data={**DATA, "number": 0, "tags": ["ok", None]})
    assert good.is_valid(), good.errors
    assert not bad.is_valid() and set(bad.errors) == {"number", "tags"}
    assert Outer(data=DATA).is_valid()  # the failed one left nothing behind
