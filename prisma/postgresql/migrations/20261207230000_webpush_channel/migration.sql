-- Web Push notification channels (issue 16): the ChannelType enum gains WEBPUSH.
-- AlterEnum
ALTER TYPE "ChannelType" ADD VALUE 'WEBPUSH';
