export { default } from '@/app/_components/page-loading'
