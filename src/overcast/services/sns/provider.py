"""Amazon SNS: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``topics.py`` | CreateTopic, DeleteTopic, GetTopicAttributes, SetTopicAttributes, ListTopics, GetDataProtectionPolicy, PutDataProtectionPolicy |
| ``topic_tags.py`` | TagResource, UntagResource, ListTagsForResource |
| ``permissions.py`` | AddPermission, RemovePermission |
| ``subscriptions.py`` | Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions, ListSubscriptionsByTopic, Get/SetSubscriptionAttributes |
| ``publishing.py`` | Publish, PublishBatch |
| ``platform_applications.py`` | the platform application and endpoint operations (mobile push) |
| ``archive.py`` | message archiving (ArchivePolicy) and replay (ReplayPolicy, ReplayStatus) of FIFO topics |
| ``sms.py`` | CheckIfPhoneNumberIsOptedOut, ListPhoneNumbersOptedOut, OptInPhoneNumber, Get/SetSMSAttributes, the SMS sandbox calls, ListOriginationNumbers |

Delivery: ``delivery.py`` (the durable queue and its worker), ``delivery_protocols.py`` (the
deliverers by protocol), ``envelope.py`` and ``signing.py`` (what is delivered, signed).
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.sns.archive import ArchiveOperations
from overcast.services.sns.authority import SnsAuthority
from overcast.services.sns.delivery import DeliveryEngine
from overcast.services.sns.delivery_protocols import load_deliverers
from overcast.services.sns.metrics import TopicMetrics
from overcast.services.sns.outbox_endpoint import OutboxListing
from overcast.services.sns.permissions import PermissionOperations
from overcast.services.sns.platform_applications import PlatformOperations
from overcast.services.sns.publishing import PublishOperations
from overcast.services.sns.schema import MIGRATIONS
from overcast.services.sns.signing import Signer
from overcast.services.sns.sms import SmsOperations
from overcast.services.sns.store import SnsStore
from overcast.services.sns.subscriptions import SubscriptionOperations
from overcast.services.sns.topic_tags import TagOperations
from overcast.services.sns.topics import TopicOperations
from overcast.services.sns.tracing import TopicTracer


class Provider(TopicOperations, TagOperations, PermissionOperations, SubscriptionOperations, PublishOperations,
               SmsOperations, PlatformOperations, ArchiveOperations, OutboxListing, SnsAuthority, BaseProvider):
    service_name = "sns"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        load_deliverers()
        self.store = SnsStore(self)
        self.signer = Signer(cloud.settings.data_dir)
        self.delivery = DeliveryEngine(self)
        self.topic_metrics = TopicMetrics(self)
        self.tracer = TopicTracer(self)

    def has_fifo_topics(self) -> bool:
        return self.store.has_fifo_topics

    async def start(self) -> None:
        await super().start()
        self.delivery.start()

    async def stop(self) -> None:
        await self.delivery.stop()
        await super().stop()

    def reset(self) -> None:
        super().reset()
        self.store.reset()
        self.delivery.reset()
        self.topic_metrics.reset()
        self.tracer.reset()
